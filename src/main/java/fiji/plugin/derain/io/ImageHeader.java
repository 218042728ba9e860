package fiji.plugin.derain.io;

import ij.io.FileInfo;
import ij.io.TiffDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;

import org.w3c.dom.Node;

/**
 * What an image file's header says, read without decoding its pixels (so that a small file claiming a huge image
 * costs nothing), and a check that its pixel data decode. TIFF headers are read by ImageJ's own TIFF decoder (the
 * reader that opens them later), everything else by {@code javax.imageio}.
 *
 * @param format lower-case format name: png, jpeg, gif, bmp, tiff, ...
 * @param width pixels per row
 * @param height rows
 * @param planes images in the file (TIFF pages or slices, GIF frames); 1 for most files
 * @param alpha the file has an alpha channel or transparent colour
 * @param components colour components of a JPEG (4 = CMYK or YCCK), 0 when unknown or not a JPEG
 * @param imageIoOnly ImageJ cannot decode this file but {@code javax.imageio} can (CMYK JPEGs)
 */
public record ImageHeader(String format, long width, long height, int planes, boolean alpha, int components,
	boolean imageIoOnly) {

	/** Pixels of one plane. */
	public long pixels() {
		return width * height;
	}

	/**
	 * Reads the header of {@code file}.
	 *
	 * @throws IOException naming the file when it is not an image or its header is damaged
	 */
	public static ImageHeader read(Path file) throws IOException {
		if (isTiff(file)) return readTiff(file);
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
			if (readers == null || !readers.hasNext())
				throw new IOException(file + " could not be read as an image (not a PNG, JPEG, TIFF, BMP or GIF file)");
			ImageReader reader = readers.next();
			try {
				reader.setInput(in, false, true);
				String format = reader.getFormatName().toLowerCase(Locale.ROOT);
				long w = reader.getWidth(0), h = reader.getHeight(0);
				if (w <= 0 || h <= 0) throw new IOException("the header gives a size of " + w + " x " + h);
				int planes = format.equals("gif") ? reader.getNumImages(true) : 1;
				ImageTypeSpecifier raw = reader.getRawImageType(0);
				boolean jpeg = format.equals("jpeg") || format.equals("jpg");
				int components = jpeg ? jpegComponents(reader) : 0;
				boolean alpha = raw != null && raw.getColorModel().hasAlpha();
				return new ImageHeader(jpeg ? "jpeg" : format, w, h, Math.max(planes, 1), alpha, components,
					jpeg && components == 4);
			} catch (IOException | RuntimeException e) {
				throw damaged(file, e);
			} finally {
				reader.dispose();
			}
		}
	}

	/**
	 * Decodes the pixel data once, at most about a megapixel per plane (subsampled), to find damage that the
	 * header does not show (truncated or corrupt data), so that it is reported as one line before ImageJ's readers
	 * print their own errors. TIFF data is checked for being complete where it is uncompressed.
	 *
	 * @throws IOException naming the file and what is wrong
	 */
	public void checkData(Path file) throws IOException {
		if (format.equals("tiff")) return; // checked from ImageJ's file infos in readTiff
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			ImageReader reader = ImageIO.getImageReaders(in).next();
			List<String> warnings = new ArrayList<>();
			reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
			try {
				reader.setInput(in, false, true);
				ImageReadParam param = reader.getDefaultReadParam();
				int step = (int) Math.max(1, Math.ceil(Math.sqrt(pixels() / 1e6)));
				param.setSourceSubsampling(step, step, 0, 0);
				for (int i = 0; i < planes; i++) {
					reader.read(i, param);
					if (!warnings.isEmpty()) throw new IOException(warnings.get(0));
				}
			} catch (IOException | RuntimeException e) {
				throw damaged(file, e);
			} finally {
				reader.dispose();
			}
		}
	}

	private static IOException damaged(Path file, Throwable e) {
		String why = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
			: e instanceof java.io.EOFException ? "the file ends early" : "unreadable data";
		return new IOException(file + " is damaged or incomplete and could not be read (" + why + ")", e);
	}

	private static boolean isTiff(Path file) throws IOException {
		byte[] magic = new byte[4];
		try (InputStream in = Files.newInputStream(file)) {
			if (in.readNBytes(magic, 0, 4) < 4) return false;
		}
		return magic[0] == 'I' && magic[1] == 'I' && magic[2] == 42 && magic[3] == 0
			|| magic[0] == 'M' && magic[1] == 'M' && magic[2] == 0 && magic[3] == 42;
	}

	private static ImageHeader readTiff(Path file) throws IOException {
		FileInfo[] infos;
		try {
			Path abs = file.toAbsolutePath();
			infos = new TiffDecoder(abs.getParent() + java.io.File.separator, abs.getFileName().toString()).getTiffInfo();
		} catch (IOException | RuntimeException e) {
			throw damaged(file, e);
		}
		if (infos == null || infos.length == 0) throw damaged(file, new IOException("no image in the file"));
		FileInfo first = infos[0];
		if (first.width <= 0 || first.height <= 0)
			throw damaged(file, new IOException("the header gives a size of " + first.width + " x " + first.height));
		long size = Files.size(file);
		for (FileInfo fi : infos)
			if (fi.compression == FileInfo.COMPRESSION_NONE && fi.getOffset() + dataBytes(fi) > size)
				throw damaged(file, new IOException("the pixel data end before the header says"));
		int planes = infos.length > 1 ? infos.length : Math.max(1, first.nImages);
		return new ImageHeader("tiff", first.width, first.height, planes, false, 0, false);
	}

	/** Bytes of uncompressed pixel data one file info describes (all its images). */
	private static long dataBytes(FileInfo fi) {
		long plane = (long) fi.width * fi.height * Math.max(1, fi.getBytesPerPixel());
		if (fi.fileType == FileInfo.BITMAP) plane = (fi.width + 7L) / 8 * fi.height;
		return plane * Math.max(1, fi.nImages) + (long) Math.max(0, fi.gapBetweenImages) * (Math.max(1, fi.nImages) - 1);
	}

	/** Colour components in the JPEG's frame header, 0 if the metadata do not say. */
	private static int jpegComponents(ImageReader reader) throws IOException {
		IIOMetadata metadata = reader.getImageMetadata(0);
		if (metadata == null) return 0;
		Node sof = find(metadata.getAsTree("javax_imageio_jpeg_image_1.0"), "sof");
		Node n = sof == null ? null : sof.getAttributes().getNamedItem("numFrameComponents");
		try {
			return n == null ? 0 : Integer.parseInt(n.getNodeValue());
		} catch (NumberFormatException e) {
			return 0;
		}
	}

	private static Node find(Node node, String name) {
		if (name.equals(node.getNodeName())) return node;
		for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
			Node found = find(c, name);
			if (found != null) return found;
		}
		return null;
	}
}
