package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ImageFiles;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

class PairDatasetTest {
	@TempDir
	Path tmp;

	/** Writes a small RGB PNG whose pixel (x, y) is (r, x, y). */
	static Path rgb(Path file, int w, int h, int r) throws IOException {
		int[] px = new int[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) px[y * w + x] = (r << 16) | (x << 8) | y;
		Files.createDirectories(file.getParent());
		ImageFiles.write(new ImagePlus("t", new ColorProcessor(w, h, px)), file, ImageFiles.Format.PNG, true);
		return file;
	}

	@Test
	void folderPairsMatchByBaseNameAndEachPairIsAScene() throws IOException {
		rgb(tmp.resolve("rain/b.png"), 4, 4, 1);
		rgb(tmp.resolve("rain/a.png"), 4, 4, 2);
		rgb(tmp.resolve("clean/a.jpg"), 4, 4, 3);
		rgb(tmp.resolve("clean/b.png"), 4, 4, 4);
		Files.writeString(tmp.resolve("rain/notes.txt"), "ignored");
		PairDataset d = PairDataset.folderPairs(tmp.resolve("rain"), tmp.resolve("clean"));
		assertEquals(List.of("a", "b"), d.scenes());
		assertEquals(tmp.resolve("clean/a.jpg"), d.pairs().get(0).clean());
		assertEquals(tmp.resolve("rain/b.png"), d.pairs().get(1).rainy());
	}

	@Test
	void unmatchedFolderPairsNameBothFoldersAndUpToTenFiles() throws IOException {
		for (int i = 0; i < 12; i++) rgb(tmp.resolve("rain/r" + (10 + i) + ".png"), 2, 2, 0);
		rgb(tmp.resolve("rain/both.png"), 2, 2, 0);
		rgb(tmp.resolve("clean/both.png"), 2, 2, 0);
		rgb(tmp.resolve("clean/orphan.png"), 2, 2, 0);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> PairDataset.folderPairs(tmp.resolve("rain"), tmp.resolve("clean")));
		String m = e.getMessage();
		assertTrue(m.contains(tmp.resolve("rain").toString()) && m.contains(tmp.resolve("clean").toString()), m);
		assertTrue(m.contains("12 rainy without a clean image [r10.png") && m.contains("r19.png, ... 2 more]"), m);
		assertTrue(m.contains("1 clean without a rainy image [orphan.png]"), m);
	}

	@Test
	void gtRainScenesPairWithTheSceneCleanFrameOrTheSameNumber() throws IOException {
		Path root = tmp.resolve("GT-RAIN_train");
		for (int i = 0; i < 3; i++) rgb(root.resolve("Alpha/Alpha-Webcam-R-00" + i + ".png"), 4, 4, i);
		rgb(root.resolve("Alpha/Alpha-Webcam-C-000.png"), 4, 4, 9);
		for (int i = 0; i < 2; i++) {
			rgb(root.resolve("Gurutto_1-2/Gurutto_1-2-Webcam-R-00" + i + ".png"), 4, 4, i);
			rgb(root.resolve("Gurutto_1-2/Gurutto_1-2-Webcam-C-00" + i + ".png"), 4, 4, i);
		}
		PairDataset d = PairDataset.gtRain(root);
		assertEquals(List.of("Alpha", "Gurutto_1-2"), d.scenes());
		assertEquals(5, d.size());
		for (ImagePair p : d.pairsOf("Alpha"))
			assertEquals("Alpha-Webcam-C-000.png", p.clean().getFileName().toString());
		assertEquals("Gurutto_1-2-Webcam-C-001.png", d.pairsOf("Gurutto_1-2").get(1).clean().getFileName().toString());
	}

	@Test
	void gtRainSceneWithoutCleanFrameIsNamed() throws IOException {
		Path root = tmp.resolve("gt");
		rgb(root.resolve("Beta/Beta-Webcam-R-000.png"), 4, 4, 0);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PairDataset.gtRain(root));
		assertTrue(e.getMessage().contains("Beta") && e.getMessage().contains("0 clean"), e.getMessage());
	}

	@Test
	void splitHoldsOutWholeScenesDeterministically() {
		List<ImagePair> pairs = new ArrayList<>();
		for (int s = 0; s < 20; s++)
			for (int f = 0; f < 3; f++)
				pairs.add(new ImagePair("s" + s, Path.of("s" + s + "-R-" + f + ".png"), Path.of("s" + s + "-C.png")));
		PairDataset d = new PairDataset("test", pairs);
		PairDataset.Split a = d.split(0.2, 7), b = d.split(0.2, 7), c = d.split(0.2, 8);
		assertEquals(4, a.validation().scenes().size());
		assertEquals(16, a.train().scenes().size());
		assertEquals(12, a.validation().size());
		assertEquals(a.validation().pairs(), b.validation().pairs());
		assertNotEquals(a.validation().scenes(), c.validation().scenes());
		Set<String> overlap = new HashSet<>(a.train().scenes());
		overlap.retainAll(a.validation().scenes());
		assertTrue(overlap.isEmpty());
		assertEquals(1, d.split(0.001, 1).validation().scenes().size(), "a positive fraction holds out one scene");
		assertEquals(0, d.split(0, 1).validation().size());
	}

	@Test
	void readsGrey8Grey16AndRgbAsUnitRgb() throws IOException {
		Path g8 = tmp.resolve("g8.tif"), g16 = tmp.resolve("g16.tif"), c = tmp.resolve("c.png");
		ImageFiles.write(new ImagePlus("g", new ByteProcessor(2, 1, new byte[] {0, (byte) 255})), g8,
			ImageFiles.Format.TIFF, true);
		ImageFiles.write(new ImagePlus("g", new ShortProcessor(2, 1, new short[] {(short) 65535, 257}, null)), g16,
			ImageFiles.Format.TIFF, true);
		rgb(c, 2, 1, 51);
		RgbImage a = RgbImage.read(g8);
		assertEquals(List.of(0f, 1f, 0f, 1f, 0f, 1f), floats(a.pixels()));
		RgbImage b = RgbImage.read(g16);
		assertEquals(1f, b.pixels()[0]);
		assertEquals(257 / 65535f, b.pixels()[5]);
		RgbImage r = RgbImage.read(c); // pixel x: (51, x, 0)
		assertEquals(List.of(0.2f, 0.2f, 0f, 1 / 255f, 0f, 0f), floats(r.pixels()));
	}

	private static List<Float> floats(float[] a) {
		List<Float> l = new ArrayList<>();
		for (float f : a) l.add(f);
		return l;
	}
}
