package fiji.plugin.derain.metrics;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/**
 * One channel of an X, Y[, C] image, read in place (no copy): what lets the streaming SSIM pass run on
 * images far larger than a double copy would allow.
 */
final class ImageRows implements RowSource {
	private final RandomAccessibleInterval<? extends RealType<?>> image;
	private final int channel;

	/** @param channel index along dimension 2 counted from the interval's min; ignored for 2-D images */
	ImageRows(RandomAccessibleInterval<? extends RealType<?>> image, int channel) {
		this.image = image;
		this.channel = channel;
	}

	@Override
	public int width() {
		return (int) image.dimension(0);
	}

	@Override
	public int height() {
		return (int) image.dimension(1);
	}

	@Override
	public Reader reader() {
		RandomAccess<? extends RealType<?>> access = image.randomAccess();
		if (image.numDimensions() > 2) access.setPosition(image.min(2) + channel, 2);
		long x0 = image.min(0);
		long y0 = image.min(1);
		int width = width();
		return (y, row) -> {
			access.setPosition(x0, 0);
			access.setPosition(y0 + y, 1);
			for (int x = 0; x < width; x++) {
				row[x] = access.get().getRealDouble();
				access.fwd(0);
			}
		};
	}
}
