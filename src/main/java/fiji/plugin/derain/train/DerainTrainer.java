package fiji.plugin.derain.train;

import fiji.plugin.derain.io.FiniteValues;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * GT-RAIN's training loop, one optimizer step at a time (DESIGN §1, §2): a batch of B rainy and B clean patches
 * from B scenes is run through the network concatenated on the batch axis (so BatchNorm sees both); the
 * image loss compares the rainy half's output with the clean patches, the rain-robust loss uses the features of
 * both halves (with frozen BatchNorm and no rain-robust term the clean half is left out: {@link #withCleanHalf});
 * Adam steps with the scheduled learning rate (offset/modulator parameters at a tenth); with {@code ema_decay} a
 * {@link WeightAverage} follows the parameters, and it is what {@link #averagedWeights} puts in the network.
 *
 * <p>State that a checkpoint must hold: the network's state dict, Adam's moments, the weight average, the step
 * count, the completed epochs and the random stream's state — with them {@link #restore} continues bit for bit.
 * Not thread-safe. The trainer does not own the network or the manager.
 */
public final class DerainTrainer {
	private final TrainConfig config;
	private final TrainableNet net;
	private final NDManager manager;
	private final BatchSampler sampler;
	private final LearningRateSchedule schedule;
	private final int stepsPerEpoch;
	private final Adam adam;
	/** Null when ema_decay is 0. */
	private final WeightAverage average;
	private TrainRandom rng;
	private long step;
	private int epoch;
	private double bestMetric = Double.NaN;

	/** Losses of one step (plain numbers, nothing to close). NaN for a part whose weight is 0. */
	public record StepResult(long step, int epoch, double learningRate, double total, double ssim, double l1,
		double robust, double psnr, double harm) {}

	/**
	 * @param train the training pairs (after the validation split)
	 * @param rain rain layers for augmentation (null only when {@code config.rainProbability()} is 0)
	 * @param manager owns the optimizer state; keep it open while training
	 */
	public DerainTrainer(TrainConfig config, TrainableNet net, PairDataset train, RainLayerSource rain,
		ImageCache cache, NDManager manager) {
		this.config = config;
		this.net = net;
		this.manager = manager;
		this.sampler = new BatchSampler(train, config.batchSize(), config.sceneFrames(), Augmentation.of(config, rain), cache);
		this.stepsPerEpoch = config.resolvedStepsPerEpoch(train.size());
		this.schedule = LearningRateSchedule.of(config, stepsPerEpoch);
		this.adam = Adam.torchDefaults(manager, config.weightDecay());
		this.average = config.emaDecay() > 0 ? new WeightAverage(manager, config.emaDecay()) : null;
		this.rng = new TrainRandom(config.seed());
	}

	public int stepsPerEpoch() {
		return stepsPerEpoch;
	}

	public long totalSteps() {
		return (long) stepsPerEpoch * config.epochs();
	}

	/** Optimizer steps taken so far. */
	public long step() {
		return step;
	}

	/** Completed epochs. */
	public int epoch() {
		return epoch;
	}

	public boolean finished() {
		return step >= totalSteps();
	}

	public double bestMetric() {
		return bestMetric;
	}

	/** Records a validation result; returns true when it is the best so far (higher is better). */
	public boolean offerMetric(double metric) {
		if (Double.isNaN(bestMetric) || metric > bestMetric) {
			bestMetric = metric;
			return true;
		}
		return false;
	}

	/** One optimizer step on a fresh batch. */
	public StepResult trainStep() throws IOException {
		if (finished()) throw new IllegalStateException("training already ran all " + totalSteps() + " steps");
		return step(sampler.next(rng));
	}

	/** Sees inside a step (tests and diagnostics); called on the training thread. */
	interface StepObserver {
		/** After the forward pass and the loss, before the backward pass. */
		default void beforeBackward() {}

		/** After the backward pass, before the optimizer step: the parameters, whose gradients are read-only here. */
		default void gradients(Map<String, NDArray> parameters) {}
	}

	private StepObserver observer = new StepObserver() {};

	void observe(StepObserver o) {
		observer = o;
	}

	/**
	 * One optimizer step on {@code batch}; advances the step count as {@link #trainStep()} does.
	 *
	 * @throws TrainingDivergedException when the loss is not finite (nothing is updated) or the step made a weight
	 *         NaN or infinite
	 */
	StepResult step(BatchSampler.Batch batch) {
		Map<String, NDArray> params = net.parameters();
		StepResult result;
		try (NDManager sm = manager.newSubManager()) {
			NDArray rainy = batch.rainy(sm), clean = batch.clean(sm);
			NDArray input = withCleanHalf() ? rainy.concat(clean, 0) : rainy;
			DerainLosses.Terms t;
			try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
				// frozen BatchNorm: eval mode, the running statistics normalise and stay as they are
				TrainableNet.Pass pass = net.forwardTraining(input, !config.freezeBatchNorm());
				NDArray image = pass.outputs().get(0).get("0:" + batch.size());
				t = DerainLosses.total(image, clean, rainy, pass.outputs().get(1), config);
				requireFinite("the loss became " + t.total().getFloat(), t.total().getFloat());
				observer.beforeBackward();
				pass.backward(gc, t.total());
			}
			observer.gradients(params);
			long s = step;
			adam.step(params, name -> schedule.at(s, name));
			requireFiniteWeights(params);
			if (average != null) average.update(params, s);
			result = new StepResult(step, epoch, schedule.at(step), t.total().getFloat(), value(t.ssim()),
				value(t.l1()), value(t.robust()), value(t.psnr()), value(t.harm()));
		}
		zeroGradients(params);
		step++;
		if (step % stepsPerEpoch == 0) epoch++;
		return result;
	}

	/**
	 * Whether the clean patches go through the network beside the rainy ones ([rainy; clean] on the batch axis):
	 * GT-RAIN's way, needed when BatchNorm takes batch statistics (they see both halves) or the rain-robust loss
	 * compares the halves' features. With frozen BatchNorm and no rain-robust term nothing reads the clean half's
	 * output, and leaving it out halves the step's work without changing the rainy half's output.
	 */
	boolean withCleanHalf() {
		return !config.freezeBatchNorm() || config.robustWeight() != 0;
	}

	private void requireFinite(String what, double value) {
		if (!Double.isFinite(value)) throw diverged(what);
	}

	private void requireFiniteWeights(Map<String, NDArray> params) {
		for (Map.Entry<String, NDArray> p : params.entrySet())
			if (FiniteValues.countNonFinite(p.getValue()) > 0)
				throw diverged("weight '" + p.getKey() + "' became NaN/Inf after the optimizer step");
	}

	/** The one line: where, why, and what to change. */
	private TrainingDivergedException diverged(String what) {
		return new TrainingDivergedException(String.format(Locale.ROOT, "training diverged: %s at epoch %d, step %d"
			+ " (learning rate %.3g): lower the learning rate (lr, now %.3g; GT-RAIN uses 2e-4) and train again",
			what, epoch + 1, step + 1, schedule.at(step), config.learningRate()));
	}

	/**
	 * Replaces the BatchNorm running statistics by their average over {@code config.bnBatches()} training batches
	 * ({@link BatchNormRecalibration}), drawn like training batches ([rainy; clean], augmented) from a random
	 * stream of their own seeded by the run's seed and the epoch: the run's stream is not touched, so training and
	 * resume stay exact, and a resumed run recalibrates with the same batches. Does nothing when bnBatches is 0.
	 */
	public void recalibrateBatchNorm() throws IOException {
		if (config.bnBatches() == 0) return;
		TrainRandom own = new TrainRandom(config.seed() ^ (0x5DEECE66DL * (epoch + 1)));
		BatchNormRecalibration.recalibrate(net, m -> {
			BatchSampler.Batch b = sampler.next(own);
			return b.rainy(m).concat(b.clean(m), 0);
		}, config.bnBatches(), manager);
	}

	/**
	 * DJL accumulates gradients across backward passes: clear them so each step sees only its own batch. In place
	 * and without {@code getGradient()}, whose new handle would stay in the parameters' manager for the whole run.
	 */
	private static void zeroGradients(Map<String, NDArray> params) {
		for (NDArray p : params.values())
			if (p.hasGradient()) JniUtils.zeroGrad((PtNDArray) p);
	}

	private static double value(NDArray a) {
		return a == null ? Double.NaN : a.getFloat();
	}

	/** Undoes {@link #averagedWeights}: puts the live weights back. */
	public interface LiveWeights extends AutoCloseable {
		@Override
		void close();
	}

	/**
	 * Puts the weights a model folder keeps into the network until the result is closed: the weight average when
	 * ema_decay &gt; 0 (with the live BatchNorm statistics), otherwise the live weights (then nothing changes).
	 * Validate and save the model inside; train only after closing.
	 */
	public LiveWeights averagedWeights() {
		if (average == null || average.averages().isEmpty()) return () -> {};
		NDManager keep = manager.newSubManager();
		Map<String, NDArray> live = new java.util.LinkedHashMap<>(), averaged = new java.util.LinkedHashMap<>();
		net.stateDict().forEach((name, a) -> {
			live.put(name, ManagedArrays.copy(a, keep));
			averaged.put(name, average.averages().getOrDefault(name, a));
		});
		net.loadStateDict(averaged);
		return () -> {
			try {
				net.loadStateDict(live);
			} finally {
				keep.close();
			}
		};
	}

	/** A snapshot of the run; arrays are copies attached to {@code target}. */
	public TrainingCheckpoint checkpoint(NDManager target) {
		Map<String, NDArray> weights = new java.util.LinkedHashMap<>();
		for (Map.Entry<String, NDArray> e : net.stateDict().entrySet()) {
			NDArray c = e.getValue().duplicate();
			c.attach(target);
			weights.put(e.getKey(), c);
		}
		return new TrainingCheckpoint(config, epoch, step, rng.state(), bestMetric, weights, adam.exportState(target),
			average == null ? Map.of() : average.export(target));
	}

	/**
	 * Continues from a checkpoint of a run with the same config.
	 *
	 * @throws IllegalArgumentException when the checkpoint's config differs (say which file to use instead)
	 */
	public void restore(TrainingCheckpoint c) {
		if (!c.config().equals(config))
			throw new IllegalArgumentException("the checkpoint was written by a run with a different training config;"
				+ " resume with the config stored in its state.json");
		net.loadStateDict(c.weights());
		adam.importState(c.optimizer());
		if (average != null) average.restore(c.average());
		rng = TrainRandom.fromState(c.rngState());
		step = c.step();
		epoch = c.epoch();
		bestMetric = c.bestMetric();
	}
}
