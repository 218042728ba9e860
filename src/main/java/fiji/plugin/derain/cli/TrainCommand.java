package fiji.plugin.derain.cli;

import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.metrics.Score;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.train.DerainTrainer;
import fiji.plugin.derain.train.PairDataset;
import fiji.plugin.derain.train.TrainConfig;
import fiji.plugin.derain.train.TrainingCheckpoint;
import fiji.plugin.derain.train.TrainingRun;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** {@code derain train --rainy DIR --clean DIR | --gtrain DIR --out MODEL_DIR [options]}. */
final class TrainCommand implements Main.SubCommand {
	private static final Set<String> CONFIG_OPTIONS = Set.of("epochs", "batch", "patch", "lr", "min-lr", "warmup-epochs",
		"steps-per-epoch", "ngf", "blocks", "activation", "norm", "init", "ssim-weight", "l1-weight", "robust-weight",
		"rain-probability", "rotation-std", "seed", "val-fraction", "device");

	@Override
	public String name() {
		return "train";
	}

	@Override
	public String usage() {
		return String.join("\n", "train (--rainy DIR --clean DIR | --gtrain DIR) --out MODEL_DIR [options] [--resume]",
			"  Trains a derainer; OUT becomes a model folder (best validation PSNR), with OUT/checkpoint (resumable,",
			"  saved every epoch) and OUT/training-log.csv. Ctrl-C or a crash loses at most the current epoch:",
			"  run the same command with --resume (the config is then read from the checkpoint).",
			"  --epochs N (20)  --batch N (8)  --patch N (256, >= 161 for MS-SSIM)  --lr X (2e-4)  --min-lr X (1e-6)",
			"  --warmup-epochs N (4)  --steps-per-epoch N (0 = one pass over the pairs)  --seed N (0)",
			"  --ngf N (64)  --blocks N (9)  --activation leaky|mish  --norm batch|instance  --init normal|kaiming|xavier",
			"  --ssim-weight X (1)  --l1-weight X (0.1)  --robust-weight X (0.1)  --rain-probability P (0.6)",
			"  --rotation-std DEG (13)  --val-fraction F (0.1, by scene)  --device auto|cpu|gpu");
	}

	@Override
	public int run(String[] argv, Console console) throws Exception {
		Set<String> valued = new java.util.HashSet<>(CONFIG_OPTIONS);
		valued.addAll(Set.of("rainy", "clean", "gtrain", "out"));
		Args a = new Args(name(), argv, 1, valued, Set.of("resume"));
		Path out = a.path("out");
		PairDataset data = dataset(a);
		TrainConfig config;
		if (a.flag("resume")) {
			config = TrainConfig.parse(readCheckpointConfig(out), out.resolve(TrainingRun.CHECKPOINT).toString());
			if (CONFIG_OPTIONS.stream().anyMatch(a::has))
				console.note("note: --resume continues with the checkpoint's training config; other training options are ignored");
		} else config = config(a);
		long t0 = System.nanoTime();
		ModelDescriptor d = TrainingRun.run(config, data, out, a.flag("resume"), new TrainingRun.Listener() {
			@Override
			public void step(DerainTrainer.StepResult r, long total, double eta) {
				console.progress(String.format(Locale.ROOT, "epoch %d  loss %.4f  lr %.2e  eta %s", r.epoch() + 1,
					r.total(), r.learningRate(), duration(eta)), r.step() + 1, total);
			}

			@Override
			public void epoch(int epoch, Score val, boolean best) {
				console.note(String.format(Locale.ROOT, "epoch %d done%s%s", epoch,
					val == null ? "" : String.format(Locale.ROOT, ": validation PSNR %.3f dB, SSIM %.4f", val.psnr(), val.ssim()),
					best ? " (best so far: model saved)" : ""));
			}

			@Override
			public void note(String message) {
				console.note(message);
			}
		}, () -> false);
		console.note(String.format(Locale.ROOT, "trained %s in %s -> %s %s", d.name(),
			duration((System.nanoTime() - t0) / 1e9), out, d.metrics()));
		return 0;
	}

	private static PairDataset dataset(Args a) throws java.io.IOException {
		if (a.has("gtrain") == (a.has("rainy") || a.has("clean")))
			throw new Args.UsageException("train: give either --gtrain DIR or both --rainy DIR and --clean DIR");
		if (a.has("gtrain")) return PairDataset.gtRain(a.path("gtrain"));
		return PairDataset.folderPairs(a.path("rainy"), a.path("clean"));
	}

	private static TrainConfig config(Args a) {
		try {
			TrainConfig.Builder b = TrainConfig.defaults().toBuilder();
			b.epochs = a.integer("epochs", b.epochs, 1);
			b.batchSize = a.integer("batch", b.batchSize, 1);
			b.patchSize = a.integer("patch", b.patchSize, 4);
			b.learningRate = a.number("lr", b.learningRate);
			b.minLearningRate = a.number("min-lr", Math.min(b.minLearningRate, b.learningRate));
			b.warmupEpochs = a.integer("warmup-epochs", Math.min(b.warmupEpochs, b.epochs - 1), 0);
			b.stepsPerEpoch = a.integer("steps-per-epoch", b.stepsPerEpoch, 0);
			b.ssimWeight = a.number("ssim-weight", b.ssimWeight);
			b.l1Weight = a.number("l1-weight", b.l1Weight);
			b.robustWeight = a.number("robust-weight", b.robustWeight);
			b.rainProbability = a.number("rain-probability", b.rainProbability);
			b.rotationStdDegrees = a.number("rotation-std", b.rotationStdDegrees);
			b.seed = a.longValue("seed", b.seed);
			b.valFraction = a.number("val-fraction", b.valFraction);
			b.device = a.string("device", b.device);
			b.net = new DerainConfig(a.integer("ngf", b.net.ngf(), 1), a.integer("blocks", b.net.nBlocks(), 0),
				DerainConfig.Activation.parse(a.string("activation", b.net.activation().id())),
				DerainConfig.Norm.parse(a.string("norm", b.net.norm().id())),
				DerainConfig.Init.parse(a.string("init", b.net.init().id())));
			return b.build();
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException("train: " + e.getMessage());
		}
	}

	private static String readCheckpointConfig(Path out) throws java.io.IOException {
		Path state = out.resolve(TrainingRun.CHECKPOINT).resolve(TrainingCheckpoint.STATE);
		if (!Files.isRegularFile(state))
			throw new java.nio.file.NoSuchFileException(state.toString(), null, "nothing to resume in " + out);
		com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(state,
			StandardCharsets.UTF_8)).getAsJsonObject();
		return o.getAsJsonObject("config").toString();
	}

	static String duration(double seconds) {
		long s = Math.round(seconds);
		return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
			: String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
	}
}
