package fiji.plugin.derain.io;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

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

	/**
	 * Opens an image file (PNG, JPEG, TIFF incl. multi-page stacks, BMP, GIF).
	 *
	 * @throws IOException naming the file when it is missing or not an image ImageJ can read
	 */
	public static ImagePlus read(Path file) throws IOException {
		if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
		if (!Files.isRegularFile(file)) throw new IOException(file + " is not a file");
		if (!Files.isReadable(file)) throw new java.nio.file.AccessDeniedException(file.toString());
		ImagePlus imp;
		boolean redirect = IJ.redirectingErrorMessages();
		IJ.redirectErrorMessages(true); // no modal error dialogs from a batch or a headless run
		try {
			Opener opener = new Opener();
			String path = file.toAbsolutePath().toString();
			// Checked first because, while a macro runs a plugin, ImageJ's "unsupported format" IJ.error aborts
			// the whole macro (redirected or not), where a batch must record the file and go on.
			if (opener.getFileType(path) == Opener.UNKNOWN)
				throw new IOException(file + " could not be read as an image (not a PNG, JPEG, TIFF, BMP or GIF file)");
			imp = opener.openImage(path);
		} catch (RuntimeException e) {
			throw new IOException(file + " could not be read as an image: " + e.getMessage(), e);
		} finally {
			IJ.redirectErrorMessages(redirect);
		}
		if (imp == null || imp.getWidth() == 0)
			throw new IOException(file + " could not be read as an image (is it a PNG, JPEG or TIFF, and complete?)");
		return imp;
	}

	/**
	 * Writes {@code imp} atomically in {@code format}. PNG and JPEG hold one 8-bit or RGB plane (a stack is
	 * refused: use TIFF); TIFF keeps stacks, 16- and 32-bit data and calibration.
	 *
	 * @param overwrite replace an existing file; otherwise its existence is an error
	 */
	public static void write(ImagePlus imp, Path target, Format format, boolean overwrite) throws IOException {
		if (format != Format.TIFF && imp.getStackSize() > 1)
			throw new IllegalArgumentException("cannot write a " + imp.getStackSize() + "-image stack as "
				+ format.extension + " (" + target + "): choose tiff");
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
