package fiji.plugin.derain.train;

import fiji.plugin.derain.net.StateDictLayout;

/**
 * GT-RAIN's learning-rate schedule as a pure function of the optimizer step {@code s} (0-based: the step about
 * to be taken), with {@code W} warm-up steps and {@code T} steps in all:
 * <pre>
 * s &lt; W :  lr(s) = base · (s + 1) / W
 * s ≥ W :  lr(s) = min + (base − min) · (1 + cos(π · (s − W) / (T − W))) / 2
 * </pre>
 * which is torch's {@code LambdaLR(lambda s: (s + 1) / W)} for the first W steps followed by
 * {@code CosineAnnealingLR(T_max = T − W, eta_min = min)} (checked against both in the tests). GT-RAIN steps
 * its schedulers per epoch; we step per optimizer step (smoother, same shape), with W and T counted in steps.
 * {@code base} is the group's own peak: the offset/modulator group ({@link #groupScale}) peaks at a tenth and
 * decays to the same {@code min}, as torch does with per-group base rates and one {@code eta_min}.
 *
 * @param peak base learning rate of the main group
 * @param min floor reached at step T
 * @param warmupSteps W ≥ 0
 * @param totalSteps T &gt; W
 */
public record LearningRateSchedule(double peak, double min, long warmupSteps, long totalSteps) {

	public LearningRateSchedule {
		if (!(peak > 0) || !(min >= 0) || min > peak)
			throw new IllegalArgumentException("learning rates must satisfy 0 ≤ min_lr ≤ lr and lr > 0, got lr " + peak
				+ ", min_lr " + min);
		if (warmupSteps < 0 || totalSteps <= warmupSteps)
			throw new IllegalArgumentException("the schedule needs 0 ≤ warm-up steps < total steps, got " + warmupSteps
				+ " and " + totalSteps);
	}

	/** The schedule of a run: W = warmupEpochs · stepsPerEpoch, T = epochs · stepsPerEpoch. */
	public static LearningRateSchedule of(TrainConfig config, int stepsPerEpoch) {
		return new LearningRateSchedule(config.learningRate(), config.minLearningRate(),
			(long) config.warmupEpochs() * stepsPerEpoch, (long) config.epochs() * stepsPerEpoch);
	}

	/** Learning rate of the main group at step {@code s}. */
	public double at(long step) {
		return at(step, 1);
	}

	/** Learning rate at step {@code s} for a group whose peak is {@code scale · peak}. */
	public double at(long step, double scale) {
		double base = peak * scale;
		if (step < warmupSteps) return base * (step + 1) / warmupSteps;
		double t = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
		return min + (base - min) * (1 + Math.cos(Math.PI * t)) / 2;
	}

	/** Learning rate of parameter {@code name} at step {@code s}. */
	public double at(long step, String name) {
		return at(step, groupScale(name));
	}

	/** 0.1 for the deformable convs' offset and modulator parameters (GT-RAIN trains them at lr/10), else 1. */
	public static double groupScale(String name) {
		return StateDictLayout.isOffsetOrModulator(name) ? 0.1 : 1;
	}
}
