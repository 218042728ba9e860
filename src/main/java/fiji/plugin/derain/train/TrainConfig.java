package fiji.plugin.derain.train;

import fiji.plugin.derain.net.DerainConfig;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every hyper-parameter of a training run (GT-RAIN's recipe by default, DESIGN §2). Saved in each checkpoint
 * and in the trained model's {@code model.json}, so a run can be resumed and a model explained.
 * The constructor validates; each message names the parameter by its JSON key.
 *
 * @param epochs number of epochs (≥ 1)
 * @param batchSize pairs per step, each from a different scene (≥ 1; ≥ 2 when {@code robustWeight > 0}, since
 *        the rain-robust loss needs negatives) unless {@code sceneFrames} &gt; 1
 * @param sceneFrames pairs of one scene per batch, sharing one crop (≥ 1, dividing {@code batchSize}; 1 = GT-RAIN):
 *        with k &gt; 1 a batch holds the same crop of each of its scenes under k different rain frames, so that the
 *        loss compares the network's answers to light and heavy rain on the same content. Needs
 *        {@code robustWeight} 0 (that loss takes the other pairs of a batch as other scenes)
 * @param patchSize square training patch side in pixels (multiple of 4; ≥ 161 when {@code ssimWeight > 0},
 *        the smallest size 5-scale MS-SSIM with an 11-pixel window accepts)
 * @param learningRate peak learning rate (offset/modulator parameters use a tenth of it)
 * @param minLearningRate floor the cosine decay reaches at the last step (≥ 0, ≤ learningRate)
 * @param warmupEpochs epochs of linear warm-up (0 ≤ warmupEpochs < epochs)
 * @param stepsPerEpoch optimizer steps per epoch; 0 = ceil(training pairs / batchSize)
 * @param weightDecay Adam's L2 weight decay (torch semantics: added to the gradient), usually 0
 * @param emaDecay decay of the exponential moving average of the weights that the model folder keeps (not in
 *        GT-RAIN; in [0, 1), 0 = off: the model is the last step's weights), see {@link WeightAverage}
 * @param net the architecture (ngf, blocks, activation, norm, init)
 * @param ssimWeight weight of 1 − MS-SSIM
 * @param l1Weight weight of the L1 loss (on the network's [-1, 1] output, as GT-RAIN)
 * @param robustWeight weight of the rain-robust (InfoNCE) loss
 * @param psnrWeight weight of the batch's mean PSNR in dB, subtracted from the loss (not in GT-RAIN; 0 = off):
 *        a per-sample logarithmic term that keeps near-clean inputs as accurate as heavy ones, see
 *        {@link DerainLosses#meanPsnr}
 * @param harmWeight weight of the batch's mean dB by which outputs are worse than their rainy inputs (not in
 *        GT-RAIN; 0 = off): a penalty only where the network makes an image worse, see {@link DerainLosses#harm}
 * @param temperature InfoNCE temperature τ (&gt; 0)
 * @param rainProbability probability of screen-blending a synthetic rain layer onto a rainy patch, in [0, 1]
 * @param rotationStdDegrees standard deviation of the random rotation in degrees (≥ 0; 0 = no rotation)
 * @param bnBatches training batches over which each epoch's BatchNorm running statistics are recomputed as a plain
 *        average before validation ({@link BatchNormRecalibration}); 0 = keep PyTorch's running averages (GT-RAIN)
 * @param freezeBatchNorm train with the BatchNorm layers in eval mode: they normalise with their running statistics
 *        (those of the initial model when fine-tuning), which stay fixed, so the network is optimised as it will
 *        be run; their weight and bias still learn. Meant for fine-tuning; false = GT-RAIN (batch statistics)
 * @param seed seed of the run's single random stream ({@link TrainRandom})
 * @param valFraction fraction of scenes held out for validation, in [0, 1)
 * @param device where to train: "auto", "cpu" or "gpu" / "gpu:N"
 */
public record TrainConfig(int epochs, int batchSize, int sceneFrames, int patchSize, double learningRate, double minLearningRate,
	int warmupEpochs, int stepsPerEpoch, double weightDecay, double emaDecay, DerainConfig net, double ssimWeight, double l1Weight,
	double robustWeight, double psnrWeight, double harmWeight, double temperature, double rainProbability, double rotationStdDegrees, int bnBatches,
	boolean freezeBatchNorm, long seed, double valFraction, String device) {

	/** Smallest side 5-scale MS-SSIM with an 11-tap window accepts: (11 − 1)·2⁴ + 1. */
	public static final int MIN_SSIM_SIZE = 161;

	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

	public TrainConfig {
		require(epochs >= 1, "epochs", "must be at least 1", epochs);
		require(batchSize >= 1, "batch", "must be at least 1", batchSize);
		require(robustWeight == 0 || batchSize >= 2, "batch",
			"must be at least 2 while robust_weight > 0 (the rain-robust loss needs other scenes as negatives)",
			batchSize);
		require(sceneFrames >= 1 && batchSize % sceneFrames == 0, "scene_frames",
			"must be at least 1 and divide batch (" + batchSize + ")", sceneFrames);
		require(sceneFrames == 1 || robustWeight == 0, "robust_weight",
			"must be 0 while scene_frames > 1 (the rain-robust loss takes the other pairs of a batch as other scenes)",
			robustWeight);
		require(patchSize >= 4 && patchSize % 4 == 0, "patch", "must be a positive multiple of 4", patchSize);
		require(ssimWeight == 0 || patchSize >= MIN_SSIM_SIZE, "patch",
			"must be at least " + MIN_SSIM_SIZE + " for 5-scale MS-SSIM (or set ssim_weight to 0)", patchSize);
		require(learningRate > 0 && Double.isFinite(learningRate), "lr", "must be a positive number", learningRate);
		require(minLearningRate >= 0 && minLearningRate <= learningRate, "min_lr", "must be in [0, lr]",
			minLearningRate);
		require(warmupEpochs >= 0 && warmupEpochs < epochs, "warmup_epochs",
			"must be at least 0 and less than epochs (" + epochs + ")", warmupEpochs);
		require(stepsPerEpoch >= 0, "steps_per_epoch", "must be at least 0 (0 = one pass over the pairs)",
			stepsPerEpoch);
		require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", "must be at least 0", weightDecay);
		require(emaDecay >= 0 && emaDecay < 1, "ema_decay", "must be in [0, 1) (0 = no averaging; e.g. 0.999)",
			emaDecay);
		if (net == null) throw new IllegalArgumentException("the network architecture (ngf, n_blocks, ...) is missing");
		requireWeight(ssimWeight, "ssim_weight");
		requireWeight(l1Weight, "l1_weight");
		requireWeight(robustWeight, "robust_weight");
		requireWeight(psnrWeight, "psnr_weight");
		requireWeight(harmWeight, "harm_weight");
		require(ssimWeight + l1Weight + robustWeight + psnrWeight + harmWeight > 0,
			"ssim_weight, l1_weight, robust_weight, psnr_weight, harm_weight",
			"cannot all be 0", 0);
		require(temperature > 0 && Double.isFinite(temperature), "temperature", "must be positive", temperature);
		require(rainProbability >= 0 && rainProbability <= 1, "rain_probability", "must be in [0, 1]",
			rainProbability);
		require(rotationStdDegrees >= 0 && rotationStdDegrees <= 90, "rotation_std", "must be in [0, 90] degrees",
			rotationStdDegrees);
		require(bnBatches >= 0, "bn_batches", "must be at least 0 (0 = no recalibration)", bnBatches);
		require(net.init() != DerainConfig.Init.IDENTITY || freezeBatchNorm, "freeze_bn",
			"must be true with init identity (batch statistics would normalise its channel pairs away)", freezeBatchNorm);
		require(bnBatches == 0 || !freezeBatchNorm, "bn_batches",
			"must be 0 while freeze_bn is true (frozen statistics are not recomputed)", bnBatches);
		require(valFraction >= 0 && valFraction < 1, "val_fraction", "must be in [0, 1)", valFraction);
		device = device == null || device.isBlank() ? "auto" : device.trim();
	}

	/** GT-RAIN's recipe: 20 epochs, batch 8, patch 256, lr 2e-4 → 1e-6, 4 warm-up epochs, weights 1/0.1/0.1. */
	public static TrainConfig defaults() {
		return new TrainConfig(20, 8, 1, 256, 2e-4, 1e-6, 4, 0, 0, 0, DerainConfig.GTRAIN, 1, 0.1, 0.1, 0, 0, 0.25, 0.6, 13, 0,
			false, 0, 0.1, "auto");
	}

	/** A copy with some values changed, e.g. {@code config.with(b -> b.epochs = 5)}; validated. */
	public TrainConfig with(java.util.function.Consumer<Builder> change) {
		Builder b = toBuilder();
		change.accept(b);
		return b.build();
	}

	/** A builder starting from these values. */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/** Steps per epoch for a training set of {@code trainPairs} pairs. */
	public int resolvedStepsPerEpoch(int trainPairs) {
		if (stepsPerEpoch > 0) return stepsPerEpoch;
		return Math.max(1, (trainPairs + batchSize - 1) / batchSize);
	}

	/** Flat JSON object with snake_case keys (the keys the validation messages name). */
	public JsonObject toJsonObject() {
		JsonObject o = new JsonObject();
		o.addProperty("epochs", epochs);
		o.addProperty("batch", batchSize);
		o.addProperty("scene_frames", sceneFrames);
		o.addProperty("patch", patchSize);
		o.addProperty("lr", learningRate);
		o.addProperty("min_lr", minLearningRate);
		o.addProperty("warmup_epochs", warmupEpochs);
		o.addProperty("steps_per_epoch", stepsPerEpoch);
		o.addProperty("weight_decay", weightDecay);
		o.addProperty("ema_decay", emaDecay);
		o.addProperty("ngf", net.ngf());
		o.addProperty("n_blocks", net.nBlocks());
		o.addProperty("activation", net.activation().id());
		o.addProperty("norm", net.norm().id());
		o.addProperty("init", net.init().id());
		o.addProperty("ssim_weight", ssimWeight);
		o.addProperty("l1_weight", l1Weight);
		o.addProperty("robust_weight", robustWeight);
		o.addProperty("psnr_weight", psnrWeight);
		o.addProperty("harm_weight", harmWeight);
		o.addProperty("temperature", temperature);
		o.addProperty("rain_probability", rainProbability);
		o.addProperty("rotation_std", rotationStdDegrees);
		o.addProperty("bn_batches", bnBatches);
		o.addProperty("freeze_bn", freezeBatchNorm);
		// as a string: JSON readers that parse numbers as doubles would round a 64-bit seed
		o.addProperty("seed", Long.toString(seed));
		o.addProperty("val_fraction", valFraction);
		o.addProperty("device", device);
		return o;
	}

	public String toJson() {
		return GSON.toJson(toJsonObject());
	}

	/** Parses {@link #toJson()} output or a hand-written config; missing keys take {@link #defaults()}. */
	public static TrainConfig parse(String json, String source) {
		try {
			JsonElement e = JsonParser.parseString(json);
			if (!e.isJsonObject()) throw new IllegalArgumentException(source + ": a training config must be a JSON object");
			return fromJson(e.getAsJsonObject(), source);
		} catch (JsonParseException e) {
			throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
		}
	}

	/**
	 * Reads a config object; missing keys take {@link #defaults()}, unknown keys are an error (a typo would
	 * otherwise silently train with a default).
	 */
	public static TrainConfig fromJson(JsonObject o, String source) {
		Set<String> unknown = new LinkedHashSet<>(o.keySet());
		unknown.removeAll(defaults().toJsonObject().keySet());
		if (!unknown.isEmpty())
			throw new IllegalArgumentException(source + ": unknown training parameter(s) " + unknown + "; known: "
				+ defaults().toJsonObject().keySet());
		Builder b = defaults().toBuilder();
		Reader r = new Reader(o, source);
		b.epochs = r.i("epochs", b.epochs);
		b.batchSize = r.i("batch", b.batchSize);
		b.sceneFrames = r.i("scene_frames", b.sceneFrames);
		b.patchSize = r.i("patch", b.patchSize);
		b.learningRate = r.d("lr", b.learningRate);
		b.minLearningRate = r.d("min_lr", b.minLearningRate);
		b.warmupEpochs = r.i("warmup_epochs", b.warmupEpochs);
		b.stepsPerEpoch = r.i("steps_per_epoch", b.stepsPerEpoch);
		b.weightDecay = r.d("weight_decay", b.weightDecay);
		b.emaDecay = r.d("ema_decay", b.emaDecay);
		DerainConfig n = b.net;
		try {
			b.net = new DerainConfig(r.i("ngf", n.ngf()), r.i("n_blocks", n.nBlocks()),
				o.has("activation") ? DerainConfig.Activation.parse(r.s("activation")) : n.activation(),
				o.has("norm") ? DerainConfig.Norm.parse(r.s("norm")) : n.norm(),
				o.has("init") ? DerainConfig.Init.parse(r.s("init")) : n.init());
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
		}
		b.ssimWeight = r.d("ssim_weight", b.ssimWeight);
		b.l1Weight = r.d("l1_weight", b.l1Weight);
		b.robustWeight = r.d("robust_weight", b.robustWeight);
		b.psnrWeight = r.d("psnr_weight", b.psnrWeight);
		b.harmWeight = r.d("harm_weight", b.harmWeight);
		b.temperature = r.d("temperature", b.temperature);
		b.rainProbability = r.d("rain_probability", b.rainProbability);
		b.rotationStdDegrees = r.d("rotation_std", b.rotationStdDegrees);
		b.bnBatches = r.i("bn_batches", b.bnBatches);
		b.freezeBatchNorm = o.has("freeze_bn") ? r.bool("freeze_bn") : b.freezeBatchNorm;
		b.seed = o.has("seed") ? r.l("seed") : b.seed;
		b.valFraction = r.d("val_fraction", b.valFraction);
		b.device = o.has("device") ? r.s("device") : b.device;
		try {
			return b.build();
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
		}
	}

	private static void require(boolean ok, String key, String what, Object got) {
		if (!ok) throw new IllegalArgumentException(key + " " + what + ", got " + got);
	}

	private static void requireWeight(double w, String key) {
		require(w >= 0 && Double.isFinite(w), key, "must be a number ≥ 0", w);
	}

	/** Typed access to a JSON object with messages naming the key. */
	private record Reader(JsonObject o, String source) {
		private JsonPrimitive p(String key) {
			JsonElement e = o.get(key);
			if (e == null || !e.isJsonPrimitive())
				throw new IllegalArgumentException(source + ": " + key + " must be a number or a string, got " + e);
			return e.getAsJsonPrimitive();
		}

		int i(String key, int fallback) {
			if (!o.has(key)) return fallback;
			double v = d(key, 0);
			if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE)
				throw new IllegalArgumentException(source + ": " + key + " must be a whole number, got " + v);
			return (int) v;
		}

		double d(String key, double fallback) {
			if (!o.has(key)) return fallback;
			try {
				return p(key).getAsDouble();
			} catch (NumberFormatException e) {
				throw new IllegalArgumentException(source + ": " + key + " must be a number, got " + o.get(key), e);
			}
		}

		long l(String key) {
			try {
				return Long.parseLong(p(key).getAsString().trim());
			} catch (NumberFormatException e) {
				throw new IllegalArgumentException(source + ": " + key + " must be a whole number, got " + o.get(key), e);
			}
		}

		boolean bool(String key) {
			String v = p(key).getAsString().trim();
			if (!v.equals("true") && !v.equals("false"))
				throw new IllegalArgumentException(source + ": " + key + " must be true or false, got " + o.get(key));
			return v.equals("true");
		}

		String s(String key) {
			return p(key).getAsString();
		}
	}

	/** Mutable copy of a config; {@link #build()} validates. Fields are named as the record components. */
	public static final class Builder {
		public int epochs, batchSize, sceneFrames, patchSize, warmupEpochs, stepsPerEpoch, bnBatches;
		public double learningRate, minLearningRate, weightDecay, emaDecay, ssimWeight, l1Weight, robustWeight, psnrWeight,
			harmWeight, temperature, rainProbability, rotationStdDegrees, valFraction;
		public DerainConfig net;
		public long seed;
		public boolean freezeBatchNorm;
		public String device;

		private Builder(TrainConfig c) {
			epochs = c.epochs;
			batchSize = c.batchSize;
			sceneFrames = c.sceneFrames;
			patchSize = c.patchSize;
			learningRate = c.learningRate;
			minLearningRate = c.minLearningRate;
			warmupEpochs = c.warmupEpochs;
			stepsPerEpoch = c.stepsPerEpoch;
			weightDecay = c.weightDecay;
			emaDecay = c.emaDecay;
			net = c.net;
			ssimWeight = c.ssimWeight;
			l1Weight = c.l1Weight;
			robustWeight = c.robustWeight;
			psnrWeight = c.psnrWeight;
			harmWeight = c.harmWeight;
			temperature = c.temperature;
			rainProbability = c.rainProbability;
			rotationStdDegrees = c.rotationStdDegrees;
			bnBatches = c.bnBatches;
			freezeBatchNorm = c.freezeBatchNorm;
			seed = c.seed;
			valFraction = c.valFraction;
			device = c.device;
		}

		public TrainConfig build() {
			return new TrainConfig(epochs, batchSize, sceneFrames, patchSize, learningRate, minLearningRate, warmupEpochs,
				stepsPerEpoch, weightDecay, emaDecay, net, ssimWeight, l1Weight, robustWeight, psnrWeight, harmWeight,
				temperature, rainProbability, rotationStdDegrees, bnBatches, freezeBatchNorm, seed, valFraction, device);
		}
	}
}
