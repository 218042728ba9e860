package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.DerainNet;
import fiji.plugin.derain.testutil.Fixtures;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * One optimizer step of the real network on a fixed batch equals PyTorch's (tools/make_step_fixture.py):
 * the loss terms to 1e-4 relative, every weight and BatchNorm buffer after the Adam step to 2e-6 absolute
 * (an Adam step moves a weight by at most lr = 2e-4, so this is 1% of a step).
 */
class TrainStepEquivalenceTest {
	static final double LR = 2e-4;

	@Test
	void oneStepMatchesPyTorch() {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> f = Fixtures.load(m, "train/step.safetensors");
			DerainNet net = DerainNet.build(new DerainConfig(4, 1, DerainConfig.Activation.LEAKY, DerainConfig.Norm.BATCH,
				DerainConfig.Init.NORMAL));
			net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 164, 164));
			net.loadStateDict(prefixed(f, "before/"));
			DerainNetTrainable trainable = new DerainNetTrainable(net, m);
			Map<String, NDArray> params = trainable.parameters();
			NDArray rainy = f.get("rainy"), clean = f.get("clean");
			DerainLosses.Terms t;
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				NDList out = trainable.forward(new NDList(rainy.concat(clean, 0)), true);
				t = DerainLosses.total(out.get(0).get("0:2"), clean, out.get(1), 1, 0.1, 0.1, 0.25);
				gc.backward(t.total());
			}
			assertRelative(f.get("loss/ssim"), t.ssim(), "MS-SSIM loss");
			assertRelative(f.get("loss/l1"), t.l1(), "L1 loss");
			assertRelative(f.get("loss/robust"), t.robust(), "rain-robust loss");
			assertRelative(f.get("loss/total"), t.total(), "total loss");

			Adam.torchDefaults(m, 0).step(params, name -> LR * LearningRateSchedule.groupScale(name));
			Map<String, NDArray> expected = prefixed(f, "after/");
			double worst = 0;
			String worstName = "";
			for (Map.Entry<String, NDArray> e : net.stateDict().entrySet()) {
				NDArray want = expected.get(e.getKey());
				if (!want.getDataType().isFloating()) {
					assertEquals(want.toLongArray()[0], e.getValue().toLongArray()[0], e.getKey());
					continue;
				}
				double d = want.sub(e.getValue()).abs().max().getFloat();
				if (d > worst) {
					worst = d;
					worstName = e.getKey();
				}
			}
			assertTrue(worst < 2e-6, "largest difference after the step: " + worst + " in " + worstName);
		}
	}

	private static Map<String, NDArray> prefixed(Map<String, NDArray> f, String prefix) {
		Map<String, NDArray> out = new LinkedHashMap<>();
		f.forEach((k, v) -> {
			if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
		});
		return out;
	}

	private static void assertRelative(NDArray expected, NDArray actual, String what) {
		double e = expected.toFloatArray()[0], a = actual.getFloat();
		assertTrue(Math.abs(a - e) <= 1e-4 * Math.abs(e), what + ": Java " + a + ", PyTorch " + e);
	}
}
