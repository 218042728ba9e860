package fiji.plugin.derain.metrics;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/** A validated (prediction, reference) pair: same X, Y[, C] size; channels are read in place. */
final class ImagePair {
	final RandomAccessibleInterval<? extends RealType<?>> prediction;
	final RandomAccessibleInterval<? extends RealType<?>> reference;

	/**
	 * @throws IllegalArgumentException when an image is not 2-D or 3-D, is empty or too wide for a Java
	 *         array row, or when the two sizes differ (the message names both)
	 */
	ImagePair(RandomAccessibleInterval<? extends RealType<?>> prediction,
		RandomAccessibleInterval<? extends RealType<?>> reference)
	{
		checkShape("prediction", prediction);
		checkShape("reference", reference);
		if (!sizeOf(prediction).equals(sizeOf(reference)))
			throw new IllegalArgumentException("prediction is " + sizeOf(prediction) + " but reference is "
				+ sizeOf(reference) + " (X×Y×C); both images must have the same size");
		this.prediction = prediction;
		this.reference = reference;
	}

	int channels() {
		return prediction.numDimensions() > 2 ? (int) prediction.dimension(2) : 1;
	}

	int width() {
		return (int) prediction.dimension(0);
	}

	int height() {
		return (int) prediction.dimension(1);
	}

	RowSource predictionRows(int channel) {
		return new ImageRows(prediction, channel);
	}

	RowSource referenceRows(int channel) {
		return new ImageRows(reference, channel);
	}

	private static void checkShape(String name, RandomAccessibleInterval<?> image) {
		if (image == null) throw new IllegalArgumentException(name + " image is null");
		int n = image.numDimensions();
		if (n < 2 || n > 3)
			throw new IllegalArgumentException(name + " has " + n
				+ " dimensions; expected X, Y and an optional channel axis C");
		for (int d = 0; d < n; d++)
			if (image.dimension(d) < 1 || image.dimension(d) > Integer.MAX_VALUE - 8)
				throw new IllegalArgumentException(name + " is " + sizeOf(image)
					+ " (X×Y×C); every side must be between 1 and 2³¹ − 9 pixels");
	}

	/** "W×H×C", C = 1 for a 2-D image: a grey image and a one-channel stack are the same size. */
	private static String sizeOf(RandomAccessibleInterval<?> image) {
		long c = image.numDimensions() > 2 ? image.dimension(2) : 1;
		return image.dimension(0) + "×" + image.dimension(1) + "×" + c;
	}
}
