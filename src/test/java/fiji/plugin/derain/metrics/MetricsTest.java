package fiji.plugin.derain.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import fiji.plugin.derain.testutil.Fixtures;

import java.util.Map;
import java.util.Random;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against scikit-image 0.19 and a float64 re-implementation of piq's MS-SSIM
 * (tools/make_metric_fixtures.py), to 1e-6 relative; plus hand-computed values and the contracts.
 */
class MetricsTest {
	/** Relative tolerance against the fixtures (the references are float64 on the stored float32 data). */
	private static final double TOLERANCE = 1e-6;

	@ParameterizedTest
	@ValueSource(strings = {"rgb_h32_w40", "grey_h33_w57", "rgb_h7_w7", "u8_h24_w30",
		"texture_noisy_h167_w172", "texture_blurred_h167_w172"})
	void matchesScikitImageAndPiq(String name) {
		try (NDManager manager = NDManager.newBaseManager()) {
			Map<String, NDArray> f = Fixtures.load(manager, "metrics/" + name + ".safetensors");
			RandomAccessibleInterval<FloatType> pred = xyc(f.get("pred"));
			RandomAccessibleInterval<FloatType> ref = xyc(f.get("ref"));
			for (Convention c : Convention.values())
				assertClose(value(f, "psnr"), Metrics.psnr(pred, ref, c), name + " psnr " + c);
			double gtrain = Metrics.ssim(pred, ref, Convention.GTRAIN);
			assertClose(value(f, "ssim_gtrain"), gtrain, name + " gtrain");
			if (f.containsKey("ssim_standard"))
				assertClose(value(f, "ssim_standard"), Metrics.ssim(pred, ref, Convention.STANDARD), name);
			else
				assertThrows(IllegalArgumentException.class,
					() -> Metrics.ssim(pred, ref, Convention.STANDARD));
			if (f.containsKey("msssim"))
				assertClose(value(f, "msssim"), Metrics.msSsim(pred, ref), name + " ms-ssim");
			else
				assertThrows(IllegalArgumentException.class, () -> Metrics.msSsim(pred, ref));
			if (f.containsKey("msssim_channel0"))
				assertClose(value(f, "msssim_channel0"), Metrics.msSsim(Views.hyperSlice(pred, 2, 0),
					Views.hyperSlice(ref, 2, 0)), name + " channel 0");
		}
	}

	@Test
	void psnrOfAKnownMeanSquaredError() {
		// Half the pixels differ by 0.5, half not at all: MSE = 0.125, PSNR = 10·log10(8) dB.
		float[] a = new float[6 * 4 * 2];
		float[] b = new float[a.length];
		for (int i = 0; i < a.length; i++) {
			a[i] = 0.25f;
			b[i] = i % 2 == 0 ? 0.75f : 0.25f;
		}
		double psnr = Metrics.psnr(ArrayImgs.floats(a, 6, 4, 2), ArrayImgs.floats(b, 6, 4, 2),
			Convention.STANDARD);
		assertEquals(10 * Math.log10(8), psnr, 1e-12);
		assertEquals(9.030899869919435, psnr, 1e-12);
	}

	@Test
	void identicalImagesScoreInfinityAndOne() {
		RandomAccessibleInterval<FloatType> a = random(170, 165, 3, 1);
		for (Convention c : Convention.values()) {
			Score s = Metrics.score(a, a, c);
			assertEquals(Double.POSITIVE_INFINITY, s.psnr());
			assertEquals(1.0, s.ssim(), 1e-15);
		}
		assertEquals(1.0, Metrics.msSsim(a, a), 1e-15);
	}

	@Test
	void everyMetricIsSymmetricBitForBit() {
		RandomAccessibleInterval<FloatType> a = random(163, 170, 3, 2);
		RandomAccessibleInterval<FloatType> b = random(163, 170, 3, 3);
		for (Convention c : Convention.values()) {
			assertEquals(Metrics.score(a, b, c), Metrics.score(b, a, c));
		}
		assertEquals(Metrics.msSsim(a, b), Metrics.msSsim(b, a));
	}

	@Test
	void scoreEqualsTheSeparateMetrics() {
		// 300 rows: several strips, so the strip split of the squared error is exercised too.
		RandomAccessibleInterval<FloatType> a = random(45, 300, 2, 4);
		RandomAccessibleInterval<FloatType> b = random(45, 300, 2, 5);
		for (Convention c : Convention.values()) {
			Score s = Metrics.score(a, b, c);
			assertEquals(Metrics.ssim(a, b, c), s.ssim());
			assertEquals(Metrics.psnr(a, b, c), s.psnr(), 1e-12);
		}
	}

	@Test
	void theIntervalOriginAndTheChannelAxisOfAGreyImageDoNotMatter() {
		RandomAccessibleInterval<FloatType> a = random(40, 30, 1, 6);
		RandomAccessibleInterval<FloatType> b = random(40, 30, 1, 7);
		Score stack = Metrics.score(a, b, Convention.STANDARD);
		Score grey = Metrics.score(Views.hyperSlice(a, 2, 0), Views.hyperSlice(b, 2, 0), Convention.STANDARD);
		Score moved = Metrics.score(Views.translate(a, -5, 17, 2), Views.translate(b, 3, 3, 3),
			Convention.STANDARD);
		assertEquals(stack, grey);
		assertEquals(stack, moved);
	}

	@Test
	void mismatchedSizesNameBothImages() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> Metrics.score(random(32, 40, 3, 1), random(32, 41, 3, 1), Convention.GTRAIN));
		assertEquals("prediction is 32×40×3 but reference is 32×41×3 (X×Y×C);"
			+ " both images must have the same size", e.getMessage());
		e = assertThrows(IllegalArgumentException.class,
			() -> Metrics.psnr(random(8, 8, 3, 1), random(8, 8, 1, 1), Convention.STANDARD));
		assertTrue(e.getMessage().contains("8×8×3") && e.getMessage().contains("8×8×1"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class,
			() -> Metrics.psnr(ArrayImgs.floats(2, 2, 2, 2), ArrayImgs.floats(2, 2, 2, 2),
				Convention.STANDARD));
		assertTrue(e.getMessage().startsWith("prediction has 4 dimensions"), e.getMessage());
	}

	@Test
	void tooSmallImagesSayHowLargeTheyMustBe() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> Metrics.ssim(random(10, 30, 3, 1), random(10, 30, 3, 2), Convention.STANDARD));
		assertEquals("image is 10×30; SSIM needs at least 11×11 pixels (11×11 Gaussian window, σ 1.5)",
			e.getMessage());
		e = assertThrows(IllegalArgumentException.class,
			() -> Metrics.ssim(random(7, 6, 1, 1), random(7, 6, 1, 2), Convention.GTRAIN));
		assertEquals("image is 7×6; SSIM needs at least 7×7 pixels (7×7 uniform window)", e.getMessage());
		e = assertThrows(IllegalArgumentException.class,
			() -> Metrics.msSsim(random(300, 160, 1, 1), random(300, 160, 1, 2)));
		assertEquals("image is 300×160; MS-SSIM needs at least 161×161 pixels"
			+ " (11×11 Gaussian window, σ 1.5 at 5 scales)", e.getMessage());
	}

	@Test
	void conventionsParseByNameOnly() {
		assertEquals(Convention.GTRAIN, Convention.parse(" GTrain "));
		assertEquals(Convention.STANDARD, Convention.parse("standard"));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> Convention.parse("skimage"));
		assertEquals("unknown metrics convention 'skimage'; use one of: standard, gtrain", e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> Convention.parse(null));
		assertFalse(Convention.GTRAIN.window().toString().isEmpty());
	}

	private static void assertClose(double expected, double actual, String what) {
		assertEquals(expected, actual, TOLERANCE * Math.abs(expected), what);
	}

	private static double value(Map<String, NDArray> f, String key) {
		return f.get(key).toDoubleArray()[0];
	}

	/** A fixture array, H×W×C (or H×W) float32, as an X, Y, C view: C is the fastest axis in memory. */
	private static RandomAccessibleInterval<FloatType> xyc(NDArray a) {
		long[] s = a.getShape().getShape();
		float[] data = a.toFloatArray();
		if (s.length == 2) return ArrayImgs.floats(data, s[1], s[0]);
		return Views.moveAxis(ArrayImgs.floats(data, s[2], s[1], s[0]), 0, 2);
	}

	private static RandomAccessibleInterval<FloatType> random(int w, int h, int c, long seed) {
		Random r = new Random(seed);
		float[] data = new float[w * h * c];
		for (int i = 0; i < data.length; i++)
			data[i] = r.nextFloat();
		return ArrayImgs.floats(data, w, h, c);
	}
}
