package fiji.plugin.derain.train;

import static fiji.plugin.derain.train.ManagedArrays.copy;
import static fiji.plugin.derain.train.ManagedArrays.in;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Adam exactly as {@code torch.optim.Adam} (amsgrad off, not maximising): per parameter
 * <pre>
 * g ← g + weightDecay·p                     (only when weightDecay ≠ 0: L2, not AdamW)
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)      t = this parameter's step count, from 1
 * </pre>
 * Parameters are updated in place. The learning rate is asked per parameter name, which is how parameter
 * groups are expressed (see {@link LearningRateSchedule#groupScale(String)}). State (step, m, v) lives in
 * arrays attached to the manager given to the constructor, which the caller owns and closes.
 */
public final class Adam {
	/** Key prefixes of {@link #exportState()}; followed by the parameter's state-dict name. */
	public static final String STEP = "step/", EXP_AVG = "exp_avg/", EXP_AVG_SQ = "exp_avg_sq/";

	private final NDManager stateManager;
	private final double beta1, beta2, eps, weightDecay;
	private final Map<String, State> states = new LinkedHashMap<>();

	private static final class State {
		long step;
		NDArray expAvg, expAvgSq;
	}

	/**
	 * @param stateManager owns the moment arrays (keep it open as long as the optimizer is used)
	 * @param weightDecay torch's {@code weight_decay} (0 in GT-RAIN)
	 */
	public Adam(NDManager stateManager, double beta1, double beta2, double eps, double weightDecay) {
		if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
			throw new IllegalArgumentException("Adam betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
		if (!(eps >= 0) || !(weightDecay >= 0))
			throw new IllegalArgumentException("Adam eps and weight decay must be ≥ 0, got " + eps + ", " + weightDecay);
		this.stateManager = stateManager;
		this.beta1 = beta1;
		this.beta2 = beta2;
		this.eps = eps;
		this.weightDecay = weightDecay;
	}

	/** torch's defaults: β (0.9, 0.999), ε 1e-8, with the given weight decay. */
	public static Adam torchDefaults(NDManager stateManager, double weightDecay) {
		return new Adam(stateManager, 0.9, 0.999, 1e-8, weightDecay);
	}

	/** One step using each parameter's own gradient ({@link NDArray#getGradient()}). */
	public void step(Map<String, NDArray> parameters, ToDoubleFunction<String> learningRate) {
		// getGradient() makes a new handle in the parameter's manager: close them all, or every step leaks them
		try (NDManager handles = stateManager.newSubManager()) {
			Map<String, NDArray> grads = new LinkedHashMap<>();
			for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
				NDArray g = e.getValue().getGradient();
				if (g != null) g.attach(handles);
				grads.put(e.getKey(), g);
			}
			step(parameters, grads, learningRate);
		}
	}

	/**
	 * One step: updates every parameter in place.
	 *
	 * @param parameters name → parameter (float32); updated in place
	 * @param gradients name → gradient of the same shape, for every parameter
	 * @param learningRate name → learning rate of that parameter's group at this step
	 */
	public void step(Map<String, NDArray> parameters, Map<String, NDArray> gradients,
		ToDoubleFunction<String> learningRate) {
		for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
			String name = e.getKey();
			NDArray p = e.getValue();
			NDArray g = gradients.get(name);
			if (g == null) throw new IllegalArgumentException("no gradient for parameter " + name);
			update(name, p, g, learningRate.applyAsDouble(name));
		}
	}

	private void update(String name, NDArray p, NDArray g, double lr) {
		// Every temporary must end in scratch: an array computed from the moments (or from the parameter) lands in
		// their manager, which lives as long as the run; attached nowhere else it would stay there, two
		// parameter-sized arrays per parameter and step (the training run's memory grew by ~5 MB per step).
		try (NDManager scratch = stateManager.newSubManager()) {
			State s = states.computeIfAbsent(name, k -> newState(p));
			g = g.toDevice(stateManager.getDevice(), false);
			g.tempAttach(scratch); // a moved copy belongs to the scratch manager; the caller's gradient is untouched
			// Through a detached alias of the parameter's storage: PyTorch's grad mode is per thread and only the
			// thread that started the engine has it off, so an in-place update of the leaf itself fails on any other
			// thread ("a leaf Variable that requires grad is being used in an in-place operation").
			NDArray data = in(scratch, p.stopGradient());
			if (weightDecay != 0) g = g.add(data.mul((float) weightDecay));
			s.step++;
			s.expAvg.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
			s.expAvgSq.muli((float) beta2).addi(g.mul(g).muli((float) (1 - beta2)));
			double biasCorrection1 = 1 - Math.pow(beta1, s.step);
			double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, s.step));
			double stepSize = lr / biasCorrection1;
			NDArray denom = in(scratch, s.expAvgSq.sqrt()).divi((float) biasCorrection2Sqrt).addi((float) eps);
			NDArray delta = in(scratch, s.expAvg.div(denom)).muli((float) stepSize);
			data.subi(in(scratch, delta.toDevice(p.getDevice(), false)));
		}
	}

	private State newState(NDArray p) {
		State s = new State();
		s.expAvg = stateManager.zeros(p.getShape(), DataType.FLOAT32);
		s.expAvgSq = stateManager.zeros(p.getShape(), DataType.FLOAT32);
		return s;
	}

	/** Step count of {@code name} (0 before its first step). */
	public long stepCount(String name) {
		State s = states.get(name);
		return s == null ? 0 : s.step;
	}

	/**
	 * The state as name → array, for checkpoints: {@code step/<name>} (int64 scalar), {@code exp_avg/<name>} and
	 * {@code exp_avg_sq/<name>} (float32, the parameter's shape). The arrays are copies attached to
	 * {@code manager} (the caller's).
	 */
	public Map<String, NDArray> exportState(NDManager manager) {
		Map<String, NDArray> out = new LinkedHashMap<>();
		for (Map.Entry<String, State> e : states.entrySet()) {
			State s = e.getValue();
			out.put(STEP + e.getKey(), manager.create(s.step));
			out.put(EXP_AVG + e.getKey(), copy(s.expAvg, manager));
			out.put(EXP_AVG_SQ + e.getKey(), copy(s.expAvgSq, manager));
		}
		return out;
	}

	/**
	 * Replaces the state with an {@link #exportState} map (arrays are copied; the map stays the caller's).
	 *
	 * @throws IllegalArgumentException naming a parameter whose three entries are not all there
	 */
	public void importState(Map<String, NDArray> state) {
		Map<String, State> loaded = new LinkedHashMap<>();
		for (Map.Entry<String, NDArray> e : state.entrySet()) {
			String key = e.getKey();
			if (!key.startsWith(STEP)) {
				if (!key.startsWith(EXP_AVG) && !key.startsWith(EXP_AVG_SQ))
					throw new IllegalArgumentException("unexpected optimizer state entry " + key);
				continue;
			}
			String name = key.substring(STEP.length());
			NDArray m = state.get(EXP_AVG + name), v = state.get(EXP_AVG_SQ + name);
			if (m == null || v == null)
				throw new IllegalArgumentException("optimizer state for " + name + " lacks exp_avg or exp_avg_sq");
			State s = new State();
			s.step = e.getValue().toType(DataType.INT64, false).getLong();
			s.expAvg = copy(m.toType(DataType.FLOAT32, false), stateManager);
			s.expAvgSq = copy(v.toType(DataType.FLOAT32, false), stateManager);
			loaded.put(name, s);
		}
		int moments = 0;
		for (String k : state.keySet()) if (!k.startsWith(STEP)) moments++;
		if (moments != 2 * loaded.size())
			throw new IllegalArgumentException("optimizer state has moments without a step entry");
		for (State s : states.values()) {
			s.expAvg.close();
			s.expAvgSq.close();
		}
		states.clear();
		states.putAll(loaded);
	}
}
