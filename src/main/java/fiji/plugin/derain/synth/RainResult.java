package fiji.plugin.derain.synth;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * A synthesized rainy image and the rain layer that made it. Arrays are owned by this result and shared
 * (not copied) with the images its accessors return; the record's equality is by array identity.
 *
 * @param width image width
 * @param height image height
 * @param channels number of channels of the rainy image
 * @param rainy rainy image in [0, 1], channel-major planes {@code rainy[(c·height + y)·width + x]}
 * @param layer rain-streak layer M in [0, 1], one plane {@code layer[y·width + x]}
 */
public record RainResult(int width, int height, int channels, float[] rainy, float[] layer) {

	public RainResult {
		if (rainy.length != width * height * channels || layer.length != width * height)
			throw new IllegalArgumentException("rainy image / layer sizes do not match " + width + "×" + height + "×"
				+ channels);
	}

	/** The rainy image wrapped without copying: axes XYC, or XY when there is one channel. */
	public ArrayImg<FloatType, FloatArray> rainyImg() {
		return channels == 1 ? ArrayImgs.floats(rainy, width, height) : ArrayImgs.floats(rainy, width, height, channels);
	}

	/** The rain layer wrapped without copying, axes XY. */
	public ArrayImg<FloatType, FloatArray> layerImg() {
		return ArrayImgs.floats(layer, width, height);
	}

	/** A copy of channel {@code c} of the rainy image, row-major. */
	public float[] rainyPlane(int c) {
		if (c < 0 || c >= channels)
			throw new IllegalArgumentException("channel " + c + " out of range [0, " + channels + ")");
		float[] out = new float[width * height];
		System.arraycopy(rainy, c * width * height, out, 0, out.length);
		return out;
	}
}
