package fiji.plugin.derain.train;

import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.predict.ModelCatalog;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * How a user's training options become a {@link TrainConfig}, shared by {@code derain train} and the
 * <i>Train Derainer</i> command so that both read the same keys with the same defaults. Keys are snake_case as
 * in macros ({@code steps_per_epoch}); the command line spells them with dashes ({@code --steps-per-epoch}).
 */
public final class TrainOptions {
	private TrainOptions() {}

	/** Every option that sets a training hyper-parameter (not the data or output folders). */
	public static final List<String> KEYS = List.of("epochs", "batch", "scene_frames", "patch", "lr", "min_lr", "warmup_epochs",
		"steps_per_epoch", "ngf", "blocks", "activation", "norm", "init", "ssim_weight", "l1_weight", "robust_weight",
		"psnr_weight", "harm_weight", "ema_decay", "rain_probability", "rotation_std", "bn_batches", "freeze_bn", "seed", "val_fraction", "device");

	/**
	 * A config from option values: {@code value} maps a key of {@link #KEYS} to its text, or null when the user
	 * left it out (then {@link TrainConfig#defaults()} applies, except that {@code min_lr} defaults to at most
	 * {@code lr} and {@code warmup_epochs} to fewer than {@code epochs}, so that a short run needs no extra
	 * options).
	 *
	 * @throws IllegalArgumentException naming the key of a malformed or out-of-range value
	 */
	public static TrainConfig fromOptions(Function<String, String> value) {
		Values v = new Values(value);
		TrainConfig.Builder b = TrainConfig.defaults().toBuilder();
		b.epochs = v.integer("epochs", b.epochs);
		b.batchSize = v.integer("batch", b.batchSize);
		b.sceneFrames = v.integer("scene_frames", b.sceneFrames);
		b.patchSize = v.integer("patch", b.patchSize);
		b.learningRate = v.number("lr", b.learningRate);
		// Adam moves each weight by about lr per step: above 1 no network trains, it only overflows to NaN
		if (!(b.learningRate > 0 && b.learningRate <= 1))
			throw new IllegalArgumentException("lr must be a positive number of at most 1 (Adam's step size; GT-RAIN"
				+ " uses 2e-4), got " + v.raw("lr"));
		b.minLearningRate = v.number("min_lr", Math.min(b.minLearningRate, b.learningRate));
		b.warmupEpochs = v.integer("warmup_epochs", Math.max(0, Math.min(b.warmupEpochs, b.epochs - 1)));
		b.stepsPerEpoch = v.integer("steps_per_epoch", b.stepsPerEpoch);
		b.ssimWeight = v.number("ssim_weight", b.ssimWeight);
		b.l1Weight = v.number("l1_weight", b.l1Weight);
		b.robustWeight = v.number("robust_weight", b.robustWeight);
		b.psnrWeight = v.number("psnr_weight", b.psnrWeight);
		b.harmWeight = v.number("harm_weight", b.harmWeight);
		b.emaDecay = v.number("ema_decay", b.emaDecay);
		b.rainProbability = v.number("rain_probability", b.rainProbability);
		b.rotationStdDegrees = v.number("rotation_std", b.rotationStdDegrees);
		b.bnBatches = v.integer("bn_batches", b.bnBatches);
		b.freezeBatchNorm = v.bool("freeze_bn", b.freezeBatchNorm);
		b.seed = v.longValue("seed", b.seed);
		b.valFraction = v.number("val_fraction", b.valFraction);
		b.device = v.text("device", b.device);
		int blocks = v.integer("blocks", b.net.nBlocks());
		// DerainConfig names it n_blocks (its JSON key); users type blocks
		if (blocks < 0) throw new IllegalArgumentException("blocks must be at least 0, got " + blocks);
		b.net = new DerainConfig(v.integer("ngf", b.net.ngf()), blocks,
			DerainConfig.Activation.parse(v.text("activation", b.net.activation().id())),
			DerainConfig.Norm.parse(v.text("norm", b.net.norm().id())),
			DerainConfig.Init.parse(v.text("init", b.net.init().id())));
		return b.build();
	}

	/**
	 * The config a resumed run continues with: the one saved in {@code out/checkpoint}, or in the checkpoint that
	 * {@link TrainingCheckpoint#latest} finds after a save was killed midway. (Options given with a
	 * resume are not applied: a changed schedule or architecture would not continue the same run.)
	 *
	 * @throws NoSuchFileException when {@code out} holds no checkpoint
	 */
	public static TrainConfig fromCheckpoint(Path out) throws IOException {
		Path checkpoint = TrainingCheckpoint.latest(out.resolve(TrainingRun.CHECKPOINT));
		if (checkpoint == null)
			throw new NoSuchFileException(out.resolve(TrainingRun.CHECKPOINT).resolve(TrainingCheckpoint.STATE).toString(),
				null, "nothing to resume in " + out);
		Path state = checkpoint.resolve(TrainingCheckpoint.STATE);
		try {
			JsonObject o = JsonParser.parseString(Files.readString(state, StandardCharsets.UTF_8)).getAsJsonObject();
			return TrainConfig.fromJson(o.getAsJsonObject("config"), state.toString());
		} catch (JsonParseException | IllegalStateException | ClassCastException e) {
			throw new IOException(state + " is not a training checkpoint's state: " + e.getMessage(), e);
		}
	}

	/** Typed reads of the option texts; messages name the key. */
	private record Values(Function<String, String> value) {
		private String raw(String key) {
			String s = value.apply(key);
			return s == null || s.isBlank() ? null : s.trim();
		}

		String text(String key, String fallback) {
			String s = raw(key);
			return s == null ? fallback : s;
		}

		int integer(String key, int fallback) {
			long v = longValue(key, fallback);
			if (v != (int) v) throw new IllegalArgumentException(key + " is out of range, got " + v);
			return (int) v;
		}

		long longValue(String key, long fallback) {
			String s = raw(key);
			if (s == null) return fallback;
			try {
				return Long.parseLong(s);
			} catch (NumberFormatException e) {
				throw new IllegalArgumentException(key + " must be a whole number, got '" + s + "'");
			}
		}

		boolean bool(String key, boolean fallback) {
			String s = raw(key);
			if (s == null) return fallback;
			if (s.equalsIgnoreCase("true") || s.equals("1")) return true;
			if (s.equalsIgnoreCase("false") || s.equals("0")) return false;
			throw new IllegalArgumentException(key + " must be true or false, got '" + s + "'");
		}

		double number(String key, double fallback) {
			String s = raw(key);
			if (s == null) return fallback;
			try {
				return Double.parseDouble(s);
			} catch (NumberFormatException e) {
				throw new IllegalArgumentException(key + " must be a number, got '" + s + "'");
			}
		}
	}

	/** Where a run starts: its config and the model it fine-tunes (null = fresh weights). */
	public record Start(TrainConfig config, Path initModel) {}

	/**
	 * Fine-tuning: the model named by {@code modelSpec} ('default', an installed name or a folder; blank = none)
	 * and {@code config} with that model's architecture (ngf, blocks, activation, norm), which the weights fix.
	 */
	public static Start fineTune(TrainConfig config, String modelSpec) throws IOException {
		if (modelSpec == null || modelSpec.isBlank()) return new Start(config, null);
		Path init = ModelCatalog.resolve(modelSpec);
		DerainConfig arch = ModelFolder.readDescriptor(init).config();
		return new Start(config.with(b -> b.net = new DerainConfig(arch.ngf(), arch.nBlocks(), arch.activation(),
			arch.norm(), b.net.init())), init);
	}
}
