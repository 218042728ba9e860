package fiji.plugin.derain.metrics;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/**
 * Exact full-reference image metrics in pure Java: PSNR, SSIM in two {@link Convention}s, and piq's
 * MS-SSIM. No GPU and no native code; SSIM streams over the image (memory O(width) per thread), so it
 * runs on images of any size.
 * <p>
 * Images are ImgLib2 intervals with axes X, Y and an optional channel axis C (absent = one channel),
 * values in [0, 1] (map 8-bit data by /255 first). Values are read as doubles and not clamped. Both
 * images must have the same size. Arguments are (prediction, reference) everywhere; every metric here
 * is symmetric, bit for bit, so the order only matters for readability. Neither image is modified or
 * retained.
 * <p>
 * Results are deterministic: the work is split into row strips that depend only on the image size,
 * and partial sums are added in a fixed order.
 */
public final class Metrics {
	/** piq's scale weights (Wang et al. 2003), finest scale first. */
	private static final double[] MS_SSIM_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
	private static final SsimWindow MS_SSIM_WINDOW = SsimWindow.gaussian(11, 1.5, 1.0);

	private Metrics() {}

	/**
	 * PSNR in dB with data range 1: {@code 10·log10(1 / MSE)}, MSE over all pixels and channels. Both
	 * conventions agree here (scikit-image infers data range 1 for a float reference in [0, 1]).
	 *
	 * @return {@link Double#POSITIVE_INFINITY} for identical images (MSE 0), as scikit-image returns
	 */
	public static double psnr(RandomAccessibleInterval<? extends RealType<?>> prediction,
		RandomAccessibleInterval<? extends RealType<?>> reference, Convention convention)
	{
		requireConvention(convention);
		ImagePair pair = new ImagePair(prediction, reference);
		double squaredError = 0;
		for (int c = 0; c < pair.channels(); c++)
			squaredError += squaredError(pair.predictionRows(c), pair.referenceRows(c));
		return psnrOf(squaredError / pair.channels());
	}

	/**
	 * Mean SSIM over channels under a convention (see {@link Convention} for the exact definitions).
	 *
	 * @throws IllegalArgumentException when the window is larger than the image
	 */
	public static double ssim(RandomAccessibleInterval<? extends RealType<?>> prediction,
		RandomAccessibleInterval<? extends RealType<?>> reference, Convention convention)
	{
		return score(prediction, reference, convention).ssim();
	}

	/**
	 * PSNR and SSIM together, reading each pixel once: what an evaluation over many images should call.
	 *
	 * @throws IllegalArgumentException when the SSIM window is larger than the image
	 */
	public static Score score(RandomAccessibleInterval<? extends RealType<?>> prediction,
		RandomAccessibleInterval<? extends RealType<?>> reference, Convention convention)
	{
		requireConvention(convention);
		ImagePair pair = new ImagePair(prediction, reference);
		double ssim = 0, squaredError = 0;
		for (int c = 0; c < pair.channels(); c++) {
			WindowedSsim.Means m = WindowedSsim.compute(pair.predictionRows(c), pair.referenceRows(c),
				convention.window());
			ssim += m.ssim();
			squaredError += m.squaredError();
		}
		return new Score(psnrOf(squaredError / pair.channels()), ssim / pair.channels());
	}

	/**
	 * MS-SSIM as piq's {@code multi_scale_ssim(x, y)} with its defaults: 5 scales, weights (0.0448,
	 * 0.2856, 0.3001, 0.2363, 0.1333), Gaussian 11×11 σ 1.5, K1 0.01, K2 0.03, data range 1, valid
	 * windows only. Per channel, cs at scales 1–4 and SSIM at scale 5 are clipped below at 0 and
	 * combined as Π value^weight; the result is the mean over channels. Between scales, piq's 2×2
	 * average pooling with its replicate padding (see {@code PlaneRows.halved}).
	 * <p>
	 * Each channel is copied to a double array (8 bytes per pixel and image, plus a third more for the
	 * coarser scales), one channel at a time.
	 *
	 * @throws IllegalArgumentException when a side is shorter than 161 px (= (11 − 1)·2⁴ + 1, piq's
	 *         minimum, so that the window fits at the coarsest scale)
	 */
	public static double msSsim(RandomAccessibleInterval<? extends RealType<?>> prediction,
		RandomAccessibleInterval<? extends RealType<?>> reference)
	{
		ImagePair pair = new ImagePair(prediction, reference);
		int scales = MS_SSIM_WEIGHTS.length;
		int minSize = (MS_SSIM_WINDOW.size() - 1) * (1 << (scales - 1)) + 1;
		if (pair.width() < minSize || pair.height() < minSize)
			throw new IllegalArgumentException("image is " + pair.width() + "×" + pair.height()
				+ "; MS-SSIM needs at least " + minSize + "×" + minSize + " pixels (" + MS_SSIM_WINDOW
				+ " at " + scales + " scales)");
		double sum = 0;
		for (int c = 0; c < pair.channels(); c++) {
			PlaneRows x = PlaneRows.copyOf(pair.predictionRows(c));
			PlaneRows y = PlaneRows.copyOf(pair.referenceRows(c));
			double product = 1;
			for (int s = 0; s < scales; s++) {
				if (s > 0) {
					x = x.halved();
					y = y.halved();
				}
				WindowedSsim.Means m = WindowedSsim.compute(x, y, MS_SSIM_WINDOW);
				double value = s == scales - 1 ? m.ssim() : m.cs();
				product *= Math.pow(Math.max(value, 0), MS_SSIM_WEIGHTS[s]);
			}
			sum += product;
		}
		return sum / pair.channels();
	}

	private static double psnrOf(double meanSquaredError) {
		return 10 * Math.log10(1 / meanSquaredError);
	}

	private static double squaredError(RowSource a, RowSource b) {
		int width = a.width();
		return Strips.sum(a.height(), (from, to, last) -> {
			RowSource.Reader ar = a.reader(), br = b.reader();
			double[] ra = new double[width], rb = new double[width];
			double sum = 0;
			for (int y = from; y < to; y++) {
				ar.read(y, ra);
				br.read(y, rb);
				sum += WindowedSsim.squaredError(ra, rb);
			}
			return new double[] {sum};
		})[0] / ((double) width * a.height());
	}

	private static void requireConvention(Convention convention) {
		if (convention == null)
			throw new IllegalArgumentException(
				"convention is null; use Convention.STANDARD or Convention.GTRAIN");
	}
}
