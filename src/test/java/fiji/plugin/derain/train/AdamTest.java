package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.testutil.Fixtures;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adam and the schedule against torch.optim.Adam / LambdaLR + CosineAnnealingLR (tools/make_train_fixtures.py). */
class AdamTest {
	private static final List<String> NAMES = List.of("initial_conv.0.conv.1.weight",
		"residual_blocks.0.conv_block.1.offset_conv.bias");

	/** A step leaves nothing behind in the optimizer's manager but the moments: memory stays flat over a long run. */
	@Test
	void stepsKeepNoTemporaries() {
		for (double wd : new double[] {0, 0.01})
			try (NDManager m = NDManager.newBaseManager(); NDManager state = m.newSubManager()) {
				NDArray p = m.randomNormal(new Shape(64, 3, 3, 3));
				Map<String, NDArray> params = Map.of(NAMES.get(0), p);
				Map<String, NDArray> grads = Map.of(NAMES.get(0), m.randomNormal(new Shape(64, 3, 3, 3)));
				Adam adam = Adam.torchDefaults(state, wd);
				adam.step(params, grads, name -> 1e-3);
				int afterFirst = state.getManagedArrays().size();
				for (int i = 0; i < 20; i++) adam.step(params, grads, name -> 1e-3);
				assertEquals(afterFirst, state.getManagedArrays().size(), "arrays left in the optimizer's manager"
					+ " (weight decay " + wd + ")");
				assertEquals(2, afterFirst, "exp_avg and exp_avg_sq");
			}
	}

	@Test
	void matchesTorchAdamWithTwoParameterGroups() {
		for (String wd : List.of("0.0", "0.01")) {
			try (NDManager m = NDManager.newBaseManager()) {
				Map<String, NDArray> fx = Fixtures.load(m, "train/adam.safetensors");
				double[] lrs = fx.get("lrs").toDoubleArray();
				Map<String, NDArray> params = new LinkedHashMap<>();
				for (String n : NAMES) params.put(n, fx.get("start/" + n).duplicate());
				Adam adam = Adam.torchDefaults(m, Double.parseDouble(wd));
				for (int s = 0; s < lrs.length; s++) {
					Map<String, NDArray> grads = new LinkedHashMap<>();
					for (String n : NAMES) grads.put(n, fx.get("wd" + wd + "/grad" + s + "/" + n));
					double lr = lrs[s];
					adam.step(params, grads, name -> lr * LearningRateSchedule.groupScale(name));
				}
				for (String n : NAMES) {
					assertMax(fx.get("wd" + wd + "/final/" + n), params.get(n), 1e-6, n + " (weight decay " + wd + ")");
					assertEquals(lrs.length, adam.stepCount(n));
				}
				// the exported state is torch's exp_avg / exp_avg_sq
				Map<String, NDArray> state = adam.exportState(m);
				for (String n : NAMES) {
					assertMax(fx.get("wd" + wd + "/exp_avg/" + n), state.get(Adam.EXP_AVG + n), 1e-7, "exp_avg " + n);
					assertMax(fx.get("wd" + wd + "/exp_avg_sq/" + n), state.get(Adam.EXP_AVG_SQ + n), 1e-9,
						"exp_avg_sq " + n);
				}
			}
		}
	}

	@Test
	void resumedFromExportedStateContinuesIdentically() {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> fx = Fixtures.load(m, "train/adam.safetensors");
			double[] lrs = fx.get("lrs").toDoubleArray();
			Map<String, NDArray> straight = new LinkedHashMap<>(), resumed = new LinkedHashMap<>();
			for (String n : NAMES) {
				straight.put(n, fx.get("start/" + n).duplicate());
				resumed.put(n, fx.get("start/" + n).duplicate());
			}
			Adam a = Adam.torchDefaults(m, 0);
			Adam first = Adam.torchDefaults(m, 0);
			for (int s = 0; s < lrs.length; s++) {
				Map<String, NDArray> grads = new LinkedHashMap<>();
				for (String n : NAMES) grads.put(n, fx.get("wd0.0/grad" + s + "/" + n));
				double lr = lrs[s];
				a.step(straight, grads, name -> lr);
				if (s == 2) { // interrupt: a fresh optimizer takes over from the exported state
					Adam second = Adam.torchDefaults(m, 0);
					second.importState(first.exportState(m));
					first = second;
				}
				first.step(resumed, grads, name -> lr);
			}
			for (String n : NAMES)
				assertEquals(0.0, straight.get(n).sub(resumed.get(n)).abs().max().getFloat(), 0.0, n);
		}
	}

	@Test
	void updatesParametersThatRequireGradientsAfterBackward() {
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray p = m.create(new float[] {1, -2, 3, 0.5f}, new Shape(4));
			NDArray c = m.create(new float[] {2, 3, -1, 1e-3f}, new Shape(4));
			p.setRequiresGradient(true);
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				gc.backward(p.mul(c).sum()); // gradient = c
			}
			Adam adam = Adam.torchDefaults(m, 0);
			adam.step(Map.of("w", p), name -> 0.1);
			// first Adam step by hand: p − lr · g / (|g| + ε)
			float[] got = p.toFloatArray();
			float[] start = {1, -2, 3, 0.5f}, g = {2, 3, -1, 1e-3f};
			for (int i = 0; i < 4; i++)
				assertEquals(start[i] - 0.1 * g[i] / (Math.abs(g[i]) + 1e-8), got[i], 1e-6, "element " + i);
		}
	}

	@Test
	void scheduleMatchesTorchLambdaThenCosine() {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> fx = Fixtures.load(m, "train/schedule.safetensors");
			assertEquals(6, fx.size());
			for (Map.Entry<String, NDArray> e : fx.entrySet()) {
				// keys: T<total>_W<warmup>_base<lr>
				String[] parts = e.getKey().split("_");
				int total = Integer.parseInt(parts[0].substring(1));
				int warmup = Integer.parseInt(parts[1].substring(1));
				double base = Double.parseDouble(parts[2].substring(4));
				double[] expected = e.getValue().toDoubleArray();
				assertEquals(total, expected.length);
				// the 2e-5 fixtures are the offset group of a 2e-4 run
				LearningRateSchedule s = new LearningRateSchedule(2e-4, 1e-6, warmup, total);
				for (int step = 0; step < total; step++)
					assertEquals(expected[step], s.at(step, base / 2e-4), 1e-12 * 2e-4, e.getKey() + " step " + step);
			}
		}
	}

	@Test
	void scheduleGroupsOffsetAndModulatorAtATenth() {
		LearningRateSchedule s = new LearningRateSchedule(2e-4, 1e-6, 0, 10);
		assertEquals(2e-4, s.at(0, "residual_blocks.0.conv_block.1.regular_conv.weight"), 0);
		assertEquals(2e-5, s.at(0, "residual_blocks.0.conv_block.5.offset_conv.weight"), 1e-18);
		assertEquals(2e-5, s.at(0, "residual_blocks.8.conv_block.1.modulator_conv.bias"), 1e-18);
		assertEquals(1e-6, s.at(10), 1e-18);
	}

	static void assertMax(NDArray expected, NDArray actual, double tol, String what) {
		assertEquals(expected.getShape(), actual.getShape(), what);
		double d = expected.toType(DataType.FLOAT64, false).sub(actual.toType(DataType.FLOAT64, false)).abs().max()
			.getDouble();
		assertTrue(d <= tol, what + ": max difference " + d + " > " + tol);
	}
}
