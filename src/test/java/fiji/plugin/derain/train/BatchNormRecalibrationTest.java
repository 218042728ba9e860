package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.DerainNet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Precise BatchNorm statistics on the real network (ngf 4, 1 block): they are the batch statistics PyTorch's
 * BatchNorm2d would use, checked through the network's own output, and averaging over batches is a plain mean.
 */
class BatchNormRecalibrationTest {
	private static final int N = 2, SIZE = 32;

	@Test
	void oneBatchGivesThatBatchsStatistics() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			DerainNetTrainable net = network(m);
			NDArray x = input(m, 1);
			float[] trainMode = net.forward(new NDList(x), true).get(0).toFloatArray();
			float[] before = net.forward(new NDList(x), false).get(0).toFloatArray();
			BatchNormRecalibration.recalibrate(net, bm -> x.duplicate(), 1, m);
			// running_var is the unbiased variance; training mode divides by the biased one: undo the n/(n-1)
			Map<String, NDArray> state = new LinkedHashMap<>(net.stateDict());
			state.replaceAll((k, a) -> k.endsWith(".running_var") ? a.mul(biasedFactor(k)) : a);
			net.loadStateDict(state);
			float[] evalMode = net.forward(new NDList(x), false).get(0).toFloatArray();
			assertTrue(maxAbsDiff(before, trainMode) > 0.05, "the fresh running statistics must differ from the batch's"
				+ " for this test to mean anything: " + maxAbsDiff(before, trainMode));
			assertEquals(0, maxAbsDiff(evalMode, trainMode), 2e-5, "eval with recalibrated statistics = training mode");
		}
	}

	@Test
	void statisticsAreTheMeanOverBatches() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			DerainNetTrainable net = network(m);
			List<NDArray> xs = List.of(input(m, 1), input(m, 2), input(m, 3));
			Map<String, float[]> each = new LinkedHashMap<>();
			for (NDArray x : xs) {
				BatchNormRecalibration.recalibrate(net, bm -> x.duplicate(), 1, m);
				net.stateDict().forEach((k, a) -> {
					if (k.contains(".running_")) {
						float[] v = a.toFloatArray(), sum = each.computeIfAbsent(k, q -> new float[v.length]);
						for (int i = 0; i < v.length; i++) sum[i] += v[i] / xs.size();
					}
				});
			}
			int[] next = {0};
			BatchNormRecalibration.recalibrate(net, bm -> xs.get(next[0]++).duplicate(), xs.size(), m);
			assertEquals(3, next[0], "one batch drawn per step");
			for (Map.Entry<String, float[]> e : each.entrySet()) {
				float[] got = net.stateDict().get(e.getKey()).toFloatArray();
				assertEquals(0, maxAbsDiff(got, e.getValue()), 1e-4 * (1 + max(e.getValue())), e.getKey());
			}
		}
	}

	private static DerainNetTrainable network(NDManager m) {
		DerainNet net = DerainNet.create(new DerainConfig(4, 1, DerainConfig.Activation.LEAKY, DerainConfig.Norm.BATCH,
			DerainConfig.Init.NORMAL), m);
		return new DerainNetTrainable(net, m);
	}

	/** A smooth, seeded input in [-1, 1] with distinct statistics per {@code k}. */
	private static NDArray input(NDManager m, int k) {
		float[] v = new float[N * 3 * SIZE * SIZE];
		for (int i = 0; i < v.length; i++) v[i] = (float) (0.8 * Math.sin(0.37 * k * i + k) * Math.cos(0.011 * i));
		return m.create(v, new Shape(N, 3, SIZE, SIZE));
	}

	/** (n − 1)/n for the pixels a layer normalises over: N·h·w at its resolution (the name says which). */
	private static float biasedFactor(String name) {
		int down = name.startsWith("downsample_1") || name.startsWith("upsample_2") ? 2
			: name.startsWith("downsample_2") || name.startsWith("residual_blocks") ? 4 : 1;
		double n = (double) N * (SIZE / down) * (SIZE / down);
		return (float) ((n - 1) / n);
	}

	private static float maxAbsDiff(float[] a, float[] b) {
		float d = 0;
		for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
		return d;
	}

	private static float max(float[] a) {
		float d = 0;
		for (float v : a) d = Math.max(d, Math.abs(v));
		return d;
	}
}
