package fiji.plugin.derain.tensor;

import ij.ImagePlus;
import ij.ImageStack;

/**
 * A linear map between raw pixel values and the unit range [0, 1] the network works in:
 * {@code unit = (raw - min) / (max - min)} and back. Values outside {@code [min, max]} map outside [0, 1];
 * nothing is clamped here (writers clamp to the pixel type's range, see {@link ImageBridge}).
 *
 * @param min the raw value that maps to 0
 * @param max the raw value that maps to 1, strictly greater than {@code min}
 */
public record Scaling(double min, double max) {

	/** 8-bit and RGB: 0..255. */
	public static final Scaling BYTE = new Scaling(0, 255);
	/** 16-bit default: the full unsigned range 0..65535. */
	public static final Scaling SHORT = new Scaling(0, 65535);

	public Scaling {
		if (!Double.isFinite(min) || !Double.isFinite(max) || !(max > min))
			throw new IllegalArgumentException("scaling needs finite min < max, got min=" + min + " max=" + max);
	}

	/** Raw value → unit range. */
	public double toUnit(double raw) {
		return (raw - min) / (max - min);
	}

	/** Unit range → raw value (unrounded, unclamped). */
	public double fromUnit(double unit) {
		return min + unit * (max - min);
	}

	/**
	 * The default scaling of an image: 8-bit and RGB 0..255, 16-bit 0..65535, 32-bit the smallest and
	 * largest finite value over the whole stack (so every frame of a stack is mapped the same way; a
	 * constant image gets {@code [v, v + 1]}). Callers wanting e.g. the display range pass their own.
	 */
	public static Scaling defaultFor(ImagePlus imp) {
		switch (imp.getType()) {
			case ImagePlus.GRAY8:
			case ImagePlus.COLOR_256:
			case ImagePlus.COLOR_RGB:
				return BYTE;
			case ImagePlus.GRAY16:
				return SHORT;
			case ImagePlus.GRAY32:
				return finiteRange(imp.getStack());
			default:
				throw new IllegalArgumentException("image '" + imp.getTitle() + "' has an unknown pixel type " + imp.getType());
		}
	}

	private static Scaling finiteRange(ImageStack stack) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (int i = 1; i <= stack.getSize(); i++) {
			for (float v : (float[]) stack.getPixels(i)) {
				if (!Float.isFinite(v)) continue;
				if (v < lo) lo = v;
				if (v > hi) hi = v;
			}
		}
		if (lo > hi) return new Scaling(0, 1); // no finite value at all
		return hi > lo ? new Scaling(lo, hi) : new Scaling(lo, lo + 1);
	}
}
