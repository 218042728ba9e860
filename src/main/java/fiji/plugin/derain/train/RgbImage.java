package fiji.plugin.derain.train;

import fiji.plugin.derain.io.ImageFiles;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

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
	 * Reads an image file with ImageJ's {@code Opener}: 8-bit values are divided by 255, 16-bit by 65535, 32-bit
	 * float values are clamped to [0, 1]; RGB stays RGB, indexed colour is expanded through its lookup table,
	 * grey is copied to all three channels, and a 3-channel stack (16-bit RGB TIFF) is read as R, G, B.
	 *
	 * @throws IOException naming the file when it cannot be read or has several images that are not 3 channels
	 */
	public static RgbImage read(Path file) throws IOException {
		ImagePlus imp = ImageFiles.read(file);
		int w = imp.getWidth(), h = imp.getHeight(), n = w * h;
		int slices = imp.getStackSize();
		float[] rgb = new float[3 * n];
		if (slices == 3 && imp.getType() != ImagePlus.COLOR_RGB) {
			for (int c = 0; c < 3; c++) toUnit(imp.getStack().getProcessor(c + 1), imp.getType(), rgb, c * n);
		} else if (slices != 1) {
			throw new IOException(file + " holds " + slices + " images; training needs one RGB or grey image per file");
		} else if (imp.getType() == ImagePlus.COLOR_RGB || imp.getType() == ImagePlus.COLOR_256) {
			ImageProcessor ip = imp.getProcessor();
			int[] argb = (int[]) (ip instanceof ColorProcessor ? ip : ip.convertToRGB()).getPixels();
			for (int i = 0; i < n; i++) {
				rgb[i] = ((argb[i] >> 16) & 0xff) / 255f;
				rgb[n + i] = ((argb[i] >> 8) & 0xff) / 255f;
				rgb[2 * n + i] = (argb[i] & 0xff) / 255f;
			}
		} else {
			toUnit(imp.getProcessor(), imp.getType(), rgb, 0);
			System.arraycopy(rgb, 0, rgb, n, n);
			System.arraycopy(rgb, 0, rgb, 2 * n, n);
		}
		return new RgbImage(w, h, rgb);
	}

	/** One grey plane to [0, 1] at {@code out[offset...]}. */
	private static void toUnit(ImageProcessor ip, int type, float[] out, int offset) {
		int n = ip.getWidth() * ip.getHeight();
		Object px = ip.getPixels();
		if (px instanceof byte[] b) {
			for (int i = 0; i < n; i++) out[offset + i] = (b[i] & 0xff) / 255f;
		} else if (px instanceof short[] s) {
			for (int i = 0; i < n; i++) out[offset + i] = (s[i] & 0xffff) / 65535f;
		} else if (px instanceof float[] f) {
			for (int i = 0; i < n; i++) out[offset + i] = Math.min(1f, Math.max(0f, f[i]));
		} else {
			throw new IllegalArgumentException("unsupported ImageJ pixel type " + type);
		}
	}
}
