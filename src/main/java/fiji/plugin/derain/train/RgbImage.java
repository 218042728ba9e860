package fiji.plugin.derain.train;

import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.tensor.ImageBridge;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An RGB image as three float planes in [0, 1]: {@code pixels[c·width·height + y·width + x]}, c = R, G, B.
 * The array is owned by the image; readers never modify it.
 *
 * @param width pixels per row
 * @param height rows
 * @param pixels planar RGB, length 3·width·height
 */
public record RgbImage(int width, int height, float[] pixels) {

	public RgbImage {
		if (width < 1 || height < 1 || pixels.length != 3L * width * height)
			throw new IllegalArgumentException("an RGB image of " + width + "×" + height + " needs "
				+ 3L * width * height + " values, got " + pixels.length);
	}

	/** Bytes held by the pixel array (for cache budgets). */
	public long bytes() {
		return 4L * pixels.length;
	}

	/**
	 * Reads an image file with ImageJ's {@code Opener}, mapped to [0, 1] as the Derain commands map it
	 * ({@link fiji.plugin.derain.tensor.Scaling#defaultFor}: 8-bit and RGB /255, 16-bit /65535, 32-bit by its own
	 * min..max); grey is copied to all three channels, a 3-channel composite is read as R, G, B.
	 *
	 * @throws IOException naming the file when it cannot be read or has several images that are not 3 channels
	 */
	public static RgbImage read(Path file) throws IOException {
		ImagePlus imp = ImageFiles.read(file);
		if (imp.getNSlices() * imp.getNFrames() != 1)
			throw new IOException(file + " holds " + imp.getStackSize() + " images; training needs one RGB or grey image"
				+ " per file");
		try {
			return new RgbImage(imp.getWidth(), imp.getHeight(), ImageBridge.toPlanarRgb(imp, 1, 1));
		} catch (IllegalArgumentException e) {
			throw new IOException(file + ": " + e.getMessage(), e);
		}
	}
}
