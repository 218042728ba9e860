package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.testutil.Fixtures;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** Loss values and input gradients against tools/make_train_fixtures.py (float64 PyTorch references). */
class DerainLossesTest {
	private static NDManager manager;
	private static Map<String, NDArray> fx;

	@BeforeAll
	static void load() {
		manager = NDManager.newBaseManager();
		fx = Fixtures.load(manager, "train/losses.safetensors");
	}

	@AfterAll
	static void close() {
		manager.close();
	}

	private static NDArray unit(String key) {
		return fx.get(key).toType(DataType.FLOAT32, false).div(255f);
	}

	private static double scalar(String key) {
		return fx.get(key).toType(DataType.FLOAT64, false).getDouble(0);
	}

	@Test
	void msSsimValueAndGradientMatchPiqDefinition() {
		try (NDManager m = manager.newSubManager()) {
			NDArray x = unit("x_u8");
			x.attach(m);
			NDArray y = unit("y_u8");
			y.attach(m);
			x.setRequiresGradient(true);
			double value;
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				NDArray v = DerainLosses.msSsim(x, y);
				value = v.getFloat();
				gc.backward(v);
			}
			assertEquals(scalar("msssim"), value, 1e-5);
			assertClose(fx.get("msssim_grad_x"), x.getGradient(), 1e-4, "MS-SSIM gradient");
		}
	}

	@Test
	void rainRobustValueAndGradientMatchGtRain() {
		try (NDManager m = manager.newSubManager()) {
			NDArray f = fx.get("features").duplicate();
			f.attach(m);
			f.setRequiresGradient(true);
			double value;
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				NDArray v = DerainLosses.rainRobust(f, 0.25);
				value = v.getFloat();
				gc.backward(v);
			}
			assertEquals(scalar("robust"), value, 1e-5);
			assertClose(fx.get("robust_grad"), f.getGradient(), 1e-4, "rain-robust gradient");
		}
	}

	@Test
	void weightedTotalMatchesGtRainTrainingLoss() {
		try (NDManager m = manager.newSubManager()) {
			NDArray out = unit("x_u8").mul(2).sub(1);
			out.attach(m);
			NDArray target = unit("y_u8").mul(2).sub(1);
			target.attach(m);
			NDArray f = fx.get("features").duplicate();
			f.attach(m);
			out.setRequiresGradient(true);
			f.setRequiresGradient(true);
			DerainLosses.Terms t;
			double value;
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				t = DerainLosses.total(out, target, out, f, TrainConfig.defaults());
				value = t.total().getFloat();
				gc.backward(t.total());
			}
			assertEquals(scalar("total"), value, 1e-5);
			assertEquals(scalar("l1"), t.l1().getFloat(), 1e-6);
			assertEquals(1 - scalar("msssim"), t.ssim().getFloat(), 1e-5);
			assertEquals(scalar("robust"), t.robust().getFloat(), 1e-5);
			assertClose(fx.get("total_grad_out"), out.getGradient(), 1e-4, "total loss gradient w.r.t. output");
			assertClose(fx.get("total_grad_features"), f.getGradient(), 1e-4, "total loss gradient w.r.t. features");
		}
	}

	@Test
	void psnrTermValueAndGradientMatchReference() {
		Map<String, NDArray> p = Fixtures.load(manager, "train/psnr.safetensors");
		// (far off + close + identical, capped at 100 dB) / 3
		assertTermMatches(p, "psnr", out -> DerainLosses.meanPsnr(out, p.get("target")));
	}

	@Test
	void harmTermValueAndGradientMatchReference() {
		Map<String, NDArray> p = Fixtures.load(manager, "train/psnr.safetensors");
		// only the first sample counts, (PSNR(input) − PSNR(output)) / 3: the second is worse than its input
		// (66 dB) but not than the 40 dB cap, the third is identical to its target
		assertTrue(p.get("harm").toType(DataType.FLOAT64, false).getDouble(0) > 1, "a sample is worse than its input");
		assertTermMatches(p, "harm", out -> DerainLosses.harm(out, p.get("rainy"), p.get("target")));
		NDArray g = p.get("harm_grad_out").get("1:3");
		assertEquals(0, g.abs().sum().getFloat(), "samples better than their input get no gradient");
	}

	/** A per-sample term of the network output {@code out}: value and gradient against the fixture's {@code key}. */
	private static void assertTermMatches(Map<String, NDArray> p, String key,
		java.util.function.Function<NDArray, NDArray> term) {
		try (NDManager m = manager.newSubManager()) {
			NDArray out = p.get("out").duplicate();
			out.attach(m);
			out.setRequiresGradient(true);
			double value;
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				NDArray v = term.apply(out);
				value = v.getFloat();
				gc.backward(v);
			}
			assertEquals(p.get(key).toType(DataType.FLOAT64, false).getDouble(0), value, 1e-3, key);
			assertClose(p.get(key + "_grad_out"), out.getGradient(), 1e-3, key + " term gradient");
		}
	}

	@Test
	void psnrAndHarmWeightsEnterTheTotal() {
		Map<String, NDArray> p = Fixtures.load(manager, "train/psnr.safetensors");
		try (NDManager m = manager.newSubManager()) {
			NDArray features = m.randomNormal(new Shape(6, 8));
			TrainConfig config = TrainConfig.defaults().with(b -> {
				b.ssimWeight = 0;
				b.l1Weight = 0.5;
				b.robustWeight = 0;
				b.psnrWeight = 0.02;
				b.harmWeight = 0.3;
			});
			DerainLosses.Terms t = DerainLosses.total(p.get("out"), p.get("target"), p.get("rainy"), features, config);
			double psnr = p.get("psnr").toType(DataType.FLOAT64, false).getDouble(0);
			double harm = p.get("harm").toType(DataType.FLOAT64, false).getDouble(0);
			assertEquals(psnr, t.psnr().getFloat(), 1e-3);
			assertEquals(harm, t.harm().getFloat(), 1e-3);
			double l1 = t.l1().getFloat();
			assertEquals(0.5 * l1 - 0.02 * psnr + 0.3 * harm, t.total().getFloat(), 1e-4);
			assertEquals(null, t.ssim());
			assertEquals(null, t.robust());
		}
	}

	@Test
	void identicalImagesHaveMsSsimOne() {
		try (NDManager m = manager.newSubManager()) {
			NDArray x = m.randomUniform(0, 1, new Shape(1, 3, 161, 161));
			assertEquals(1.0, DerainLosses.msSsim(x, x).getFloat(), 1e-5);
		}
	}

	@Test
	void rejectsImagesTooSmallForFiveScales() {
		try (NDManager m = manager.newSubManager()) {
			NDArray x = m.zeros(new Shape(1, 3, 160, 200));
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DerainLosses.msSsim(x, x));
			assertTrue(e.getMessage().contains("161"), e.getMessage());
		}
	}

	/**
	 * Max |actual − expected| ≤ tol · max|expected|: gradients of a mean are tiny per element, so the tolerance
	 * is relative to the gradient's own scale.
	 */
	static void assertClose(NDArray expected, NDArray actual, double tol, String what) {
		assertEquals(expected.getShape(), actual.getShape(), what + " shape");
		NDArray e = expected.toType(DataType.FLOAT64, false);
		NDArray a = actual.toType(DataType.FLOAT64, false);
		double scale = e.abs().max().getDouble();
		double diff = a.sub(e).abs().max().getDouble();
		assertTrue(diff <= tol * scale, what + ": max difference " + diff + " exceeds " + tol + " × " + scale);
	}
}
