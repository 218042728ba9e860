package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ImageFiles;

import ij.ImagePlus;
import ij.process.ShortProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

class ImageCacheTest {
	@TempDir
	Path tmp;

	@Test
	void anEightBitImageIsHeldAtOneBytePerValueAndComesBackExactlyAsRead() throws IOException {
		Path png = PairDatasetTest.rgb(tmp.resolve("a.png"), 20, 10, 200);
		ImageCache cache = new ImageCache(1 << 20);
		RgbImage first = cache.get(png), again = cache.get(png);
		assertEquals(3 * 20 * 10 + 4 * 256, cache.bytesHeld());
		float[] read = RgbImage.read(png).pixels();
		assertArrayEquals(read, first.pixels());
		assertArrayEquals(read, again.pixels());
		assertNotSame(first.pixels(), again.pixels(), "each use expands its own copy");
		assertEquals(20, again.width());
		assertEquals(10, again.height());
	}

	@Test
	void aSixteenBitImageIsHeldAsFloats() throws IOException {
		short[] values = new short[16 * 8];
		Random r = new Random(7);
		for (int i = 0; i < values.length; i++) values[i] = (short) r.nextInt(65536);
		Path tif = tmp.resolve("b.tif");
		ImageFiles.write(new ImagePlus("t", new ShortProcessor(16, 8, values, null)), tif, ImageFiles.Format.TIFF, true);
		ImageCache cache = new ImageCache(1 << 20);
		cache.get(tif);
		assertArrayEquals(RgbImage.read(tif).pixels(), cache.get(tif).pixels());
		assertEquals(4 * 3 * 16 * 8, cache.bytesHeld());
	}

	@Test
	void linksToOneFileShareItsEntryAndTheLeastRecentlyUsedImageGoesFirst() throws IOException {
		Path a = PairDatasetTest.rgb(tmp.resolve("a.png"), 20, 10, 1), b = PairDatasetTest.rgb(tmp.resolve("b.png"), 20, 10, 2);
		Path link = Files.createSymbolicLink(tmp.resolve("link.png"), a);
		long one = 3 * 20 * 10 + 4 * 256;
		ImageCache cache = new ImageCache(2 * one);
		cache.get(a);
		cache.get(link);
		assertEquals(one, cache.bytesHeld(), "the link is the same photo");
		cache.get(b);
		assertEquals(2 * one, cache.bytesHeld());
		cache.get(a); // now b is the least recently used
		Path c = PairDatasetTest.rgb(tmp.resolve("c.png"), 20, 10, 3);
		assertArrayEquals(RgbImage.read(c).pixels(), cache.get(c).pixels());
		assertEquals(2 * one, cache.bytesHeld());
		assertTrue(cache.holds(a));
		assertFalse(cache.holds(b), "b, the least recently used, made room for c");
		assertTrue(cache.holds(c));
		assertArrayEquals(RgbImage.read(b).pixels(), cache.get(b).pixels());
		assertArrayEquals(RgbImage.read(link).pixels(), cache.get(link).pixels());
	}
}
