package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

class AugmentationTest {
	@TempDir
	Path tmp;

	/** Grey image with value a·x + b·y + c in every channel. */
	static RgbImage linear(int w, int h, double a, double b, double c) {
		float[] px = new float[3 * w * h];
		for (int ch = 0; ch < 3; ch++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) px[ch * w * h + y * w + x] = (float) (a * x + b * y + c);
		return new RgbImage(w, h, px);
	}

	@Test
	void withoutRotationThePatchIsAnExactFlippedCrop() {
		RgbImage img = linear(9, 7, 0.01, 0.1, 0.05);
		Augmentation aug = new Augmentation(4, 0, 0, null);
		TrainRandom rng = new TrainRandom(3);
		for (int trial = 0; trial < 50; trial++) {
			float[] r = new float[48], c = new float[48];
			aug.apply(img, img, rng, r, c, 0);
			assertArrayEquals(r, c, "no rain: rainy and clean patches are the same transform of the same image");
			// neighbours differ by exactly ±0.01 horizontally and ±0.1 vertically (in [0,1]; ×2 in [-1,1])
			double dx = (r[1] - r[0]) / 2, dy = (r[4] - r[0]) / 2;
			assertEquals(0.01, Math.abs(dx), 1e-6);
			assertEquals(0.1, Math.abs(dy), 1e-6);
			for (int v = 0; v < 4; v++)
				for (int u = 0; u < 4; u++)
					assertEquals(r[0] + 2 * (u * dx + v * dy), r[v * 4 + u], 1e-5);
		}
	}

	@Test
	void rotationKeepsAPlaneAPlaneWithTheSameSlopeAndAngleStdAsAsked() {
		double a = 0.009, b = 0; // gradient along x: the patch gradient is a·(cos θ, −sin θ) up to flips' signs
		RgbImage img = linear(80, 80, a, b, 0.1);
		Augmentation aug = new Augmentation(16, 13, 0, null);
		TrainRandom rng = new TrainRandom(11);
		double sumSq = 0;
		int n = 2000;
		float[] r = new float[3 * 256], c = new float[3 * 256];
		for (int t = 0; t < n; t++) {
			aug.apply(img, img, rng, r, c, 0);
			double gx = (r[1] - r[0]) / 2, gy = (r[16] - r[0]) / 2;
			// bilinear sampling of a plane is exact: the patch is a plane with the gradient's length
			assertEquals(Math.hypot(a, b), Math.hypot(gx, gy), 2e-6);
			assertEquals(r[0] + 2 * (15 * gx + 15 * gy), r[255], 1e-4);
			double angle = Math.atan2(Math.abs(gy), Math.abs(gx)); // |θ|
			sumSq += angle * angle;
		}
		double std = Math.toDegrees(Math.sqrt(sumSq / n));
		assertEquals(13, std, 0.6, "rotation angle standard deviation in degrees");
	}

	@Test
	void smallImagesAreMirrored() {
		RgbImage img = linear(3, 2, 0.1, 0.4, 0.05);
		Set<Float> values = new HashSet<>();
		for (float f : img.pixels()) values.add(2 * f - 1);
		float[] r = new float[3 * 64], c = new float[3 * 64];
		new Augmentation(8, 0, 0, null).apply(img, img, new TrainRandom(1), r, c, 0);
		for (float f : r) assertTrue(values.contains(f), "every value of a mirrored crop is an image value: " + f);
		assertEquals(1, Augmentation.reflect(-1, 4));
		assertEquals(2, Augmentation.reflect(4, 4));
		assertEquals(1, Augmentation.reflect(7, 4));
		assertEquals(0, Augmentation.reflect(6, 4));
		assertEquals(0, Augmentation.reflect(-5, 1));
	}

	@Test
	void rainIsScreenBlendedOntoTheRainyPatchOnly() {
		RgbImage img = linear(6, 6, 0.05, 0.03, 0.2);
		RainLayerSource half = (w, h, random) -> {
			float[] m = new float[w * h];
			java.util.Arrays.fill(m, 0.5f);
			return m;
		};
		float[] r = new float[48], c = new float[48];
		new Augmentation(4, 0, 1, half).apply(img, img, new TrainRandom(5), r, c, 0);
		for (int i = 0; i < 48; i++) {
			double clean = (c[i] + 1) / 2;
			assertEquals(clean + 0.5 - clean * 0.5, (r[i] + 1) / 2, 1e-6);
		}
	}

	@Test
	void rainNeedsASource() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> new Augmentation(4, 0, 0.6, null));
		assertTrue(e.getMessage().contains("rain_probability"), e.getMessage());
	}

	/** Rain layers of uniform noise in [0, 0.3). */
	static final RainLayerSource NOISE = (w, h, random) -> {
		float[] m = new float[w * h];
		for (int i = 0; i < m.length; i++) m[i] = random.nextFloat() * 0.3f;
		return m;
	};

	/** A GT-RAIN folder of {@code n} scenes, each with three rainy frames and its clean frame, all w × h. */
	private PairDataset scenes(int n, int w, int h) throws IOException {
		Path root = tmp.resolve("gt");
		for (int s = 0; s < n; s++) {
			for (int f = 0; f < 3; f++)
				PairDatasetTest.rgb(root.resolve("S" + s + "/S" + s + "-Webcam-R-00" + f + ".png"), w, h, 10 * s + f);
			PairDatasetTest.rgb(root.resolve("S" + s + "/S" + s + "-Webcam-C-000.png"), w, h, 200 + s);
		}
		return PairDataset.gtRain(root);
	}

	@Test
	void batchesTakeDifferentScenesAndResumeExactlyFromTheRandomState() throws IOException {
		PairDataset d = scenes(4, 12, 10);
		Augmentation aug = new Augmentation(8, 13, 0.6, NOISE);
		BatchSampler sampler = new BatchSampler(d, 3, aug, new ImageCache(1 << 20));
		TrainRandom rng = new TrainRandom(42);
		for (int i = 0; i < 5; i++) {
			BatchSampler.Batch batch = sampler.next(rng);
			Set<String> scenes = new HashSet<>();
			for (ImagePair p : batch.pairs()) scenes.add(p.scene());
			assertEquals(3, scenes.size(), "a batch never repeats a scene");
		}
		long saved = rng.state();
		BatchSampler.Batch expected = sampler.next(rng);
		BatchSampler.Batch resumed = new BatchSampler(d, 3, aug, new ImageCache(0)).next(TrainRandom.fromState(saved));
		assertArrayEquals(expected.rainy(), resumed.rainy());
		assertArrayEquals(expected.clean(), resumed.clean());
		assertEquals(expected.pairs(), resumed.pairs());

		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> new BatchSampler(d, 5, aug, new ImageCache(0)));
		assertTrue(e.getMessage().contains("4 training scenes but batch is 5"), e.getMessage());
	}

	@Test
	void sceneFramesPutDifferentFramesOfOneSceneUnderOneCropIntoABatch() throws IOException {
		PairDataset d = scenes(3, 40, 30);
		Augmentation aug = new Augmentation(8, 13, 0.6, NOISE);
		BatchSampler sampler = new BatchSampler(d, 4, 2, aug, new ImageCache(1 << 20));
		TrainRandom rng = new TrainRandom(7);
		int plane = 3 * 8 * 8;
		Set<String> cropsSeen = new HashSet<>();
		for (int i = 0; i < 20; i++) {
			BatchSampler.Batch batch = sampler.next(rng);
			for (int g = 0; g < 4; g += 2) {
				ImagePair a = batch.pairs().get(g), b = batch.pairs().get(g + 1);
				assertEquals(a.scene(), b.scene(), "a scene's frames come together");
				assertTrue(!a.rainy().equals(b.rainy()), "two different frames of the scene");
				// one clean photo per scene, one crop: the clean patches are equal (the rainy ones are not)
				assertArrayEquals(java.util.Arrays.copyOfRange(batch.clean(), g * plane, (g + 1) * plane),
					java.util.Arrays.copyOfRange(batch.clean(), (g + 1) * plane, (g + 2) * plane));
				cropsSeen.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(batch.clean(), g * plane, (g + 1) * plane)));
			}
			assertTrue(!batch.pairs().get(0).scene().equals(batch.pairs().get(2).scene()), "the scenes differ");
		}
		assertTrue(cropsSeen.size() > 20, "crops differ between scenes and batches: " + cropsSeen.size());
		long saved = rng.state();
		BatchSampler.Batch expected = sampler.next(rng);
		BatchSampler.Batch resumed = new BatchSampler(d, 4, 2, aug, new ImageCache(0)).next(TrainRandom.fromState(saved));
		assertArrayEquals(expected.rainy(), resumed.rainy());
		assertEquals(expected.pairs(), resumed.pairs());

		IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
			() -> new BatchSampler(d, 4, 4, aug, new ImageCache(0)));
		assertTrue(tooFew.getMessage().contains("has 3 pair(s) but scene_frames is 4"), tooFew.getMessage());
		IllegalArgumentException scenes = assertThrows(IllegalArgumentException.class,
			() -> new BatchSampler(d, 8, 2, aug, new ImageCache(0)));
		assertTrue(scenes.getMessage().contains("3 training scenes but batch / scene_frames is 4"), scenes.getMessage());
	}

	@Test
	void sceneFramesMustDivideTheBatchAndExcludeTheRainRobustLoss() {
		IllegalArgumentException divide = assertThrows(IllegalArgumentException.class,
			() -> TrainConfig.defaults().with(b -> { b.robustWeight = 0; b.batchSize = 6; b.sceneFrames = 4; }));
		assertTrue(divide.getMessage().startsWith("scene_frames must be at least 1 and divide batch (6)"),
			divide.getMessage());
		IllegalArgumentException robust = assertThrows(IllegalArgumentException.class,
			() -> TrainConfig.defaults().with(b -> b.sceneFrames = 2));
		assertTrue(robust.getMessage().startsWith("robust_weight must be 0 while scene_frames > 1"), robust.getMessage());
		TrainConfig ok = TrainConfig.defaults().with(b -> { b.robustWeight = 0; b.sceneFrames = 4; });
		assertEquals(4, TrainConfig.parse(ok.toJson(), "test").sceneFrames());
	}
}
