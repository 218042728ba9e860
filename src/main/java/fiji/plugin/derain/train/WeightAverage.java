package fiji.plugin.derain.train;

import static fiji.plugin.derain.train.ManagedArrays.copy;
import static fiji.plugin.derain.train.ManagedArrays.in;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of the trainable parameters (not in GT-RAIN): after the optimizer step with index
 * {@code s} (from 0), every parameter's average {@code a} becomes
 * <pre>
 * a ← d·a + (1 − d)·p        d = min(decay, (1 + s) / (10 + s))
 * </pre>
 * starting from the parameters after the first step. The warm-up of {@code d} (TensorFlow's
 * {@code ExponentialMovingAverage} with {@code num_updates}) keeps the first steps' weights from dominating a
 * short run. The last iterate of a run wanders from step to step; the average is what the model folder keeps.
 * BatchNorm running statistics are not averaged (the model uses the live ones).
 *
 * <p>The averages live in the manager given to the constructor (the trainer's); the state for a checkpoint is
 * {@link #export} / {@link #restore}.
 */
final class WeightAverage {
	private final NDManager manager;
	private final double decay;
	private final Map<String, NDArray> averages = new LinkedHashMap<>();

	/** @param decay in (0, 1) */
	WeightAverage(NDManager manager, double decay) {
		if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("decay must be in (0, 1), got " + decay);
		this.manager = manager;
		this.decay = decay;
	}

	/** The decay used after the step with index {@code step} (from 0). */
	double decayAt(long step) {
		return Math.min(decay, (1.0 + step) / (10.0 + step));
	}

	/** Folds the parameters after the optimizer step with index {@code step} into the averages. */
	void update(Map<String, NDArray> parameters, long step) {
		float d = (float) decayAt(step);
		// every temporary in scratch: an array computed from the averages would otherwise stay in the run's manager
		try (NDManager scratch = manager.newSubManager()) {
			for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
				NDArray p = in(scratch, e.getValue().stopGradient());
				NDArray a = averages.get(e.getKey());
				if (a == null) averages.put(e.getKey(), copy(p, manager));
				else a.muli(d).addi(in(scratch, in(scratch, p.toDevice(a.getDevice(), false)).mul(1 - d)));
			}
		}
	}

	/** The averages (name → array); empty before the first update. Live arrays: do not modify. */
	Map<String, NDArray> averages() {
		return averages;
	}

	/** Copies of the averages attached to {@code target}, for a checkpoint. */
	Map<String, NDArray> export(NDManager target) {
		Map<String, NDArray> out = new LinkedHashMap<>();
		averages.forEach((name, a) -> out.put(name, copy(a, target)));
		return out;
	}

	/** Replaces the averages by copies of {@code saved} (an {@link #export} map). */
	void restore(Map<String, NDArray> saved) {
		averages.values().forEach(NDArray::close);
		averages.clear();
		saved.forEach((name, a) -> averages.put(name, copy(a, manager)));
	}
}
