package fiji.plugin.derain.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded images by path, least recently used dropped first once a byte budget is exceeded. GT-RAIN scenes
 * share one clean frame between hundreds of rainy frames, so keeping recent images avoids decoding the same
 * PNG again and again. A budget of 0 disables caching. Not thread-safe.
 */
public final class ImageCache {
	private final long budgetBytes;
	private final LinkedHashMap<Path, RgbImage> images = new LinkedHashMap<>(16, 0.75f, true);
	private long bytes;

	/** @param budgetBytes most bytes of pixels kept (0 = read every time) */
	public ImageCache(long budgetBytes) {
		if (budgetBytes < 0) throw new IllegalArgumentException("cache budget must be ≥ 0, got " + budgetBytes);
		this.budgetBytes = budgetBytes;
	}

	/** The image at {@code file}, read with {@link RgbImage#read} unless cached. Callers must not modify it. */
	public RgbImage get(Path file) throws IOException {
		RgbImage img = images.get(file);
		if (img != null) return img;
		img = RgbImage.read(file);
		if (img.bytes() <= budgetBytes) {
			images.put(file, img);
			bytes += img.bytes();
			for (Iterator<Map.Entry<Path, RgbImage>> it = images.entrySet().iterator(); bytes > budgetBytes; ) {
				bytes -= it.next().getValue().bytes();
				it.remove();
			}
		}
		return img;
	}
}
