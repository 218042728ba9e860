package fiji.plugin.derain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Precise" BatchNorm statistics (Wu &amp; Johnson, <i>Rethinking "Batch" in BatchNorm</i>, 2021, §3): with the
 * weights fixed, the running mean and variance of every BatchNorm layer are replaced by the plain average of the
 * batch statistics over {@code n} training batches. During training the running statistics are an exponential
 * average (momentum 0.1, so about the last ten batches) taken while the weights move; with small batches of
 * small patches they are noisy enough to swing the eval-mode output by decibels from one epoch to the next.
 *
 * <p>How the batch statistics are read: before each training-mode forward pass the running statistics are set to
 * 0, so afterwards they hold {@code momentum · batch statistic} (PyTorch: mean, unbiased variance), exactly as
 * PyTorch's {@code BatchNorm2d} accumulates them. Nothing else changes: the weights are untouched and
 * {@code num_batches_tracked} keeps counting.
 */
final class BatchNormRecalibration {
	private BatchNormRecalibration() {}

	/** PyTorch's BatchNorm2d momentum (the network's layers use it). */
	static final double MOMENTUM = 0.1;

	/** A source of network inputs, (N, 3, H, W) in [-1, 1], created in the given manager. */
	interface Inputs {
		NDArray next(NDManager manager) throws IOException;
	}

	/** Recalibrates {@code net}'s BatchNorm running statistics on {@code n ≥ 1} batches from {@code inputs}. */
	static void recalibrate(TrainableNet net, Inputs inputs, int n, NDManager manager) throws IOException {
		if (n < 1) throw new IllegalArgumentException("recalibration needs at least one batch, got " + n);
		try (NDManager sm = manager.newSubManager()) {
			Map<String, NDArray> state = copies(net.stateDict(), sm);
			List<String> stats = runningStatistics(state);
			if (stats.isEmpty()) return;
			Map<String, NDArray> sums = new LinkedHashMap<>();
			for (String k : stats) sums.put(k, state.get(k).zerosLike());
			for (int i = 0; i < n; i++) {
				for (String k : stats) state.put(k, sums.get(k).zerosLike());
				net.loadStateDict(state);
				try (NDManager bm = sm.newSubManager()) {
					NDList out = net.forward(new NDList(inputs.next(bm)), true);
					out.attach(bm);
				}
				Map<String, NDArray> after = net.stateDict();
				for (String k : stats) sums.get(k).addi(after.get(k));
			}
			state = copies(net.stateDict(), sm);
			for (String k : stats) state.put(k, sums.get(k).div(MOMENTUM * n));
			net.loadStateDict(state);
		}
	}

	private static List<String> runningStatistics(Map<String, NDArray> state) {
		List<String> out = new ArrayList<>();
		for (String k : state.keySet())
			if (k.endsWith(".running_mean") || k.endsWith(".running_var")) out.add(k);
		return out;
	}

	private static Map<String, NDArray> copies(Map<String, NDArray> state, NDManager manager) {
		Map<String, NDArray> out = new LinkedHashMap<>();
		state.forEach((k, a) -> {
			NDArray c = a.duplicate();
			c.attach(manager);
			out.put(k, c);
		});
		return out;
	}
}
