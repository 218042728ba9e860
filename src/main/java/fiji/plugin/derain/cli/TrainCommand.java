package fiji.plugin.derain.cli;

import fiji.plugin.derain.StopRequest;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.metrics.Score;
import fiji.plugin.derain.train.DerainTrainer;
import fiji.plugin.derain.train.PairDataset;
import fiji.plugin.derain.train.TrainConfig;
import fiji.plugin.derain.train.TrainOptions;
import fiji.plugin.derain.train.TrainingRun;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;

/** {@code derain train --rainy DIR --clean DIR | --gtrain DIR --out MODEL_DIR [options]}. */
final class TrainCommand implements Main.SubCommand {
	private static final Set<String> CONFIG_OPTIONS = TrainOptions.KEYS.stream().map(k -> k.replace('_', '-'))
		.collect(java.util.stream.Collectors.toUnmodifiableSet());

	@Override
	public String name() {
		return "train";
	}

	@Override
	public String usage() {
		return String.join("\n", "train (--rainy DIR --clean DIR | --gtrain DIR) --out MODEL_DIR [options] [--init-model MODEL] [--resume]",
			"  Trains a derainer; OUT becomes a model folder (best validation PSNR), with OUT/checkpoint (resumable,",
			"  saved every epoch) and OUT/training-log.csv. Ctrl-C stops after the current step with a checkpoint; a crash",
			"  loses at most the current epoch: run the same command with --resume (the config is then read from the checkpoint).",
			"  --epochs N (20)  --batch N (8)  --patch N (256, >= 161 for MS-SSIM)  --lr X (2e-4)  --min-lr X (1e-6)",
			"  --warmup-epochs N (4)  --steps-per-epoch N (0 = one pass over the pairs)  --seed N (0)",
			"  --ngf N (64)  --blocks N (9)  --activation leaky|mish  --norm batch|instance  --init normal|kaiming|xavier|identity",
			"  --init identity     the untrained network returns its input (ngf >= 24, leaky, batch norm; train it with",
			"                      --freeze-bn true): training starts from 'leave the photo alone'",
			"  --ssim-weight X (1)  --l1-weight X (0.1)  --robust-weight X (0.1)  --rain-probability P (0.6)",
			"  --rotation-std DEG (13)  --val-fraction F (0.1, by scene)  --device auto|cpu|gpu",
			"  --psnr-weight X (0)  subtract X times the batch's mean PSNR in dB from the loss (not in GT-RAIN): an error",
			"                      costs more on a near-clean input than on a heavy one, as the per-image PSNR counts it",
			"  --harm-weight X (0)  add X times the mean dB by which outputs are worse than their rainy inputs (not in",
			"                      GT-RAIN): a penalty only where the network makes an image worse",
			"  --ema-decay D (0)   the model folder keeps an exponential moving average of the weights, D per step",
			"                      (not in GT-RAIN; e.g. 0.999, about the last 1,000 steps): steadier than the last step",
			"  --scene-frames K (1)  a batch holds K rainy frames of each of its scenes, cut at one place (not in GT-RAIN;",
			"                      K divides --batch; needs --robust-weight 0): light and heavy rain on the same content",
			"  --bn-batches N (0)  each epoch, recompute BatchNorm statistics as the average over N training batches",
			"                      before validation (steadier validation and eval output; 0 = GT-RAIN's running averages)",
			"  --freeze-bn true|false (false)  BatchNorm in eval mode while training: the running statistics (the initial",
			"                      model's when fine-tuning) normalise and stay fixed, so the model is trained as it is run",
			"  --init-model MODEL  fine-tune: start from this model's weights ('default', a name or a folder); the",
			"                      architecture (ngf, blocks, activation, norm) is then the model's");
	}

	@Override
	public int run(String[] argv, Console console) throws Exception {
		Set<String> valued = new java.util.HashSet<>(CONFIG_OPTIONS);
		valued.addAll(Set.of("rainy", "clean", "gtrain", "out", "init-model"));
		Args a = new Args(name(), argv, 1, valued, Set.of("resume"));
		Path out = a.path("out");
		PairDataset data = dataset(a);
		TrainConfig config;
		if (a.flag("resume")) {
			config = TrainOptions.fromCheckpoint(out);
			if (CONFIG_OPTIONS.stream().anyMatch(a::has))
				console.note("note: --resume continues with the checkpoint's training config; other training options are ignored");
		} else config = config(a);
		TrainOptions.Start start = a.flag("resume") ? new TrainOptions.Start(config, null)
			: TrainOptions.fineTune(config, a.string("init-model", null));
		long t0 = System.nanoTime();
		StopRequest stop = new StopRequest(console::note, "stopping after the current step, saving a resumable checkpoint ...");
		try {
			ModelDescriptor d = TrainingRun.run(start.config(), data, out, a.flag("resume"), start.initModel(),
				listener(console), stop::requested);
			console.note(String.format(Locale.ROOT, "trained %s in %s -> %s %s", d.name(),
				duration((System.nanoTime() - t0) / 1e9), out, d.metrics()));
			return 0;
		} catch (CancellationException e) {
			if (!stop.requested()) throw e;
			console.note("stopped: " + e.getMessage() + "; continue with the same command and --resume");
			return 130;
		} finally {
			stop.close();
		}
	}

	private static TrainingRun.Listener listener(Console console) {
		return new TrainingRun.Listener() {
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
		};
	}

	private static PairDataset dataset(Args a) throws java.io.IOException {
		if (a.has("gtrain") == (a.has("rainy") || a.has("clean")))
			throw new Args.UsageException("train: give either --gtrain DIR or both --rainy DIR and --clean DIR");
		if (a.has("gtrain")) return PairDataset.gtRain(a.path("gtrain"));
		return PairDataset.folderPairs(a.path("rainy"), a.path("clean"));
	}

	private static TrainConfig config(Args a) {
		try {
			return TrainOptions.fromOptions(key -> a.string(key.replace('_', '-'), null));
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException("train: " + e.getMessage());
		}
	}

	static String duration(double seconds) {
		long s = Math.round(seconds);
		return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
			: String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
	}
}
