package fiji.plugin.derain.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded images by file, least recently used dropped first once a byte budget is exceeded. GT-RAIN scenes
 * share one clean frame between hundreds of rainy frames, so keeping recent images avoids decoding the same
 * PNG again and again. A budget of 0 disables caching. Not thread-safe.
 * <p>
 * Two things stretch the budget: a file is cached under its real path, so links to one photo (a scene's clean
 * frame also used as a rainy one) share an entry; and an image with at most one value per 8-bit level (every 8-bit
 * or RGB file) is kept as one byte per value and a table of its 256 levels, a quarter of its float planes, and
 * expanded on each use (a fraction of the time a PNG takes to decode) into exactly the values it was read as.
 */
public final class ImageCache {
	private final long budgetBytes;
	private final LinkedHashMap<Path, Entry> images = new LinkedHashMap<>(16, 0.75f, true);
	private long bytes;

	/** @param budgetBytes most bytes of pixels kept (0 = read every time) */
	public ImageCache(long budgetBytes) {
		if (budgetBytes < 0) throw new IllegalArgumentException("cache budget must be ≥ 0, got " + budgetBytes);
		this.budgetBytes = budgetBytes;
	}

	/**
	 * The image at {@code file}, read with {@link RgbImage#read} unless cached; its values are exactly those that
	 * {@link RgbImage#read} gives. Callers must not modify it.
	 */
	public RgbImage get(Path file) throws IOException {
		Path key = key(file);
		Entry entry = images.get(key);
		if (entry != null) return entry.image();
		RgbImage img = RgbImage.read(file);
		entry = Entry.of(img);
		if (entry.bytes() <= budgetBytes) {
			images.put(key, entry);
			bytes += entry.bytes();
			for (Iterator<Map.Entry<Path, Entry>> it = images.entrySet().iterator(); bytes > budgetBytes; ) {
				bytes -= it.next().getValue().bytes();
				it.remove();
			}
		}
		return img;
	}

	/** Bytes of pixels held now. */
	long bytesHeld() {
		return bytes;
	}

	/** Whether the image at {@code file} (or at the file a link points to) is held. */
	boolean holds(Path file) {
		return images.containsKey(key(file));
	}

	/** The file's real path (links resolved), or its absolute path if that cannot be resolved. */
	private static Path key(Path file) {
		try {
			return file.toRealPath();
		} catch (IOException e) {
			return file.toAbsolutePath().normalize();
		}
	}

	/** A cached image: its float planes, or one byte per value indexing {@code levels}. */
	private record Entry(int width, int height, float[] pixels, float[] levels, byte[] codes) {

		static Entry of(RgbImage img) {
			float[] p = img.pixels();
			float[] levels = new float[256];
			boolean[] used = new boolean[256];
			byte[] codes = new byte[p.length];
			for (int i = 0; i < p.length; i++) {
				float v = p[i];
				long level = Math.round(v * 255.0);
				// a value off [0, 1], or a second value at one level (16- or 32-bit images): kept as floats
				if (level < 0 || level > 255 || used[(int) level] && Float.floatToIntBits(levels[(int) level])
					!= Float.floatToIntBits(v))
					return new Entry(img.width(), img.height(), p, null, null);
				used[(int) level] = true;
				levels[(int) level] = v;
				codes[i] = (byte) level;
			}
			return new Entry(img.width(), img.height(), null, levels, codes);
		}

		RgbImage image() {
			if (pixels != null) return new RgbImage(width, height, pixels);
			float[] p = new float[codes.length];
			for (int i = 0; i < p.length; i++) p[i] = levels[codes[i] & 0xff];
			return new RgbImage(width, height, p);
		}

		long bytes() {
			return pixels != null ? 4L * pixels.length : codes.length + 4L * levels.length;
		}
	}
}
