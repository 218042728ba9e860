package fiji.plugin.derain.io;

import fiji.plugin.derain.tensor.ImageBridge;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.imageio.ImageIO;

/**
 * Reading and writing image files with ImageJ's own readers and writers, so that the CLI, the Fiji commands
 * and macros all see a file the same way. Writes are atomic and never replace a file unless asked.
 */
public final class ImageFiles {
	private ImageFiles() {}

	/** Extensions the batch tools pick up by default. */
	public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif");

	/** Output formats: the file extension and ImageJ's writer for it. */
	public enum Format {
		PNG("png"), TIFF("tif"), JPEG("jpg");

		public final String extension;

		Format(String extension) {
			this.extension = extension;
		}

		public static Format parse(String s) {
			String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
			switch (t) {
				case "png":
					return PNG;
				case "tif":
				case "tiff":
					return TIFF;
				case "jpg":
				case "jpeg":
					return JPEG;
				default:
					throw new IllegalArgumentException("unknown output format '" + s + "': use png | tiff | jpeg");
			}
		}
	}

	/** Default largest image, in pixels per plane (width × height): 100 megapixels. */
	public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
	/** System property that sets the largest image in Fiji, macros and the CLI ({@code -Dderain.maxPixels=N}). */
	public static final String MAX_PIXELS_PROPERTY = "derain.maxPixels";

	/**
	 * The largest image to read, in pixels per plane (width × height), and how the user raises it (named in the
	 * message that refuses a larger one).
	 */
	public record PixelBudget(long maxPixels, String option) {
		public PixelBudget {
			if (maxPixels < 1) throw new IllegalArgumentException(option + " must be at least 1 pixel, got " + maxPixels);
		}

		/** {@link #defaultMaxPixels()}, raised with the system property (Fiji, macros). */
		public static PixelBudget fromSystemProperty() {
			return new PixelBudget(defaultMaxPixels(), "the system property " + MAX_PIXELS_PROPERTY + " (-D"
				+ MAX_PIXELS_PROPERTY + "=N)");
		}

		/**
		 * Refuses an image of more than {@link #maxPixels} pixels per plane.
		 *
		 * @param what names the image in the message
		 */
		public void check(String what, long width, long height) throws IOException {
			if (width * height > maxPixels)
				throw new IOException(String.format(Locale.ROOT,
					"%s is %d x %d = %d pixels, more than the limit of %d pixels; raise it with %s", what, width, height,
					width * height, maxPixels, option));
		}
	}

	/** An image read from a file, with notes on what it lost (e.g. its transparency). */
	public record Loaded(ImagePlus image, List<String> notes) {}

	/**
	 * The largest image, in pixels per plane: {@value #MAX_PIXELS_PROPERTY} if set, else {@value #DEFAULT_MAX_PIXELS}.
	 *
	 * @throws IllegalArgumentException naming the property if its value is not a positive whole number
	 */
	public static long defaultMaxPixels() {
		String v = System.getProperty(MAX_PIXELS_PROPERTY);
		if (v == null || v.isBlank()) return DEFAULT_MAX_PIXELS;
		try {
			long n = Long.parseLong(v.trim());
			if (n > 0) return n;
		} catch (NumberFormatException e) {
			// reported below
		}
		throw new IllegalArgumentException("system property " + MAX_PIXELS_PROPERTY + " must be a positive whole number"
			+ " of pixels, got '" + v + "'");
	}

	/**
	 * Opens an image file (PNG, JPEG, TIFF incl. multi-page stacks, BMP, GIF) within the default pixel budget
	 * ({@link #defaultMaxPixels}).
	 *
	 * @throws IOException naming the file when it is missing, too large, damaged or not an image ImageJ can read
	 */
	public static ImagePlus read(Path file) throws IOException {
		return load(file, PixelBudget.fromSystemProperty()).image();
	}

	/**
	 * Opens an image file, as ImageJ does, after checking it: its header (size within the budget,
	 * read before any pixel is decoded) and its pixel data (damage is one line naming the file, not ImageJ's
	 * messages). Indexed-colour images become RGB ({@link ImageBridge#withDisplayedColours}); CMYK JPEGs, which
	 * ImageJ cannot open, are read with {@code javax.imageio}. A dropped alpha channel is noted.
	 *
	 * @throws IOException naming the file when it is missing, too large, damaged or not an image ImageJ can read
	 */
	public static Loaded load(Path file, PixelBudget budget) throws IOException {
		if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
		if (!Files.isRegularFile(file)) throw new IOException(file + " is not a file");
		if (!Files.isReadable(file)) throw new java.nio.file.AccessDeniedException(file.toString());
		ImageHeader header = ImageHeader.read(file);
		budget.check(file.toString(), header.width(), header.height());
		header.checkData(file);
		ImagePlus imp = header.imageIoOnly() ? openWithImageIo(file) : openWithImageJ(file);
		if (imp == null || imp.getWidth() == 0)
			throw new IOException(file + " could not be read as an image (is it a PNG, JPEG or TIFF, and complete?)");
		List<String> notes = header.alpha() ? List.of(ALPHA_NOTE) : List.of();
		return new Loaded(ImageBridge.withDisplayedColours(imp), notes);
	}

	/** The note for an input whose transparency is not kept. */
	public static final String ALPHA_NOTE = "alpha channel ignored: output has no transparency";

	private static ImagePlus openWithImageJ(Path file) throws IOException {
		boolean redirect = IJ.redirectingErrorMessages();
		IJ.redirectErrorMessages(true); // no modal error dialogs from a batch or a headless run
		try {
			Opener opener = new Opener();
			String path = file.toAbsolutePath().toString();
			// Checked first because, while a macro runs a plugin, ImageJ's "unsupported format" IJ.error aborts
			// the whole macro (redirected or not), where a batch must record the file and go on.
			if (opener.getFileType(path) == Opener.UNKNOWN)
				throw new IOException(file + " could not be read as an image (not a PNG, JPEG, TIFF, BMP or GIF file)");
			return opener.openImage(path);
		} catch (RuntimeException e) {
			throw new IOException(file + " could not be read as an image: " + e.getMessage(), e);
		} finally {
			IJ.redirectErrorMessages(redirect);
		}
	}

	/** For files ImageJ's readers cannot decode but {@code javax.imageio} can (CMYK JPEGs: converted to RGB). */
	private static ImagePlus openWithImageIo(Path file) throws IOException {
		BufferedImage image = ImageIO.read(file.toFile());
		if (image == null) throw new IOException(file + " could not be read as an image");
		BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
		java.awt.Graphics2D g = rgb.createGraphics();
		try {
			g.drawImage(image, 0, 0, null);
		} finally {
			g.dispose();
		}
		return new ImagePlus(file.getFileName().toString(), rgb);
	}

	/**
	 * Refuses, before any work, to write {@code imp} in a format that cannot hold it: PNG and JPEG hold one plane
	 * (not a stack, and not ImageJ's 3-channel image of a 16-bit RGB file).
	 *
	 * @param what names the input in the message
	 */
	public static void checkWritable(ImagePlus imp, Format format, String what) {
		if (format == Format.TIFF || imp.getStackSize() == 1) return;
		String has = imp.getStackSize() == imp.getNChannels()
			? imp.getNChannels() + " channels of " + imp.getBitDepth() + " bits"
			: imp.getStackSize() + " images (frames or slices)";
		throw new IllegalArgumentException(what + " has " + has + ", which " + format.extension
			+ " cannot hold: choose the tiff output format (--format tiff, format=tiff in Fiji)");
	}

	/**
	 * Writes {@code imp} atomically in {@code format}. PNG and JPEG hold one 8-bit or RGB plane (a stack is
	 * refused: use TIFF); TIFF keeps stacks, 16- and 32-bit data and calibration.
	 *
	 * @param overwrite replace an existing file; otherwise its existence is an error
	 */
	public static void write(ImagePlus imp, Path target, Format format, boolean overwrite) throws IOException {
		checkWritable(imp, format, target.toString());
		AtomicFiles.writeVia(target, overwrite, tmp -> {
			FileSaver saver = new FileSaver(imp);
			String p = tmp.toString();
			boolean ok;
			boolean redirect = IJ.redirectingErrorMessages();
			IJ.redirectErrorMessages(true);
			try {
				switch (format) {
					case PNG:
						ok = saver.saveAsPng(p);
						break;
					case JPEG:
						ok = saver.saveAsJpeg(p);
						break;
					default:
						ok = imp.getStackSize() > 1 ? saver.saveAsTiffStack(p) : saver.saveAsTiff(p);
				}
			} finally {
				IJ.redirectErrorMessages(redirect);
			}
			if (!ok || Files.size(tmp) == 0) throw new IOException("could not write " + target + " (disk full or not writable?)");
		});
	}
}
