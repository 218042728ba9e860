package fiji.plugin.derain.train;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.engine.Engines;
import fiji.plugin.derain.engine.NativeMemory;
import fiji.plugin.derain.io.AtomicFiles;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.metrics.Convention;
import fiji.plugin.derain.metrics.Metrics;
import fiji.plugin.derain.metrics.Score;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.DerainNet;
import fiji.plugin.derain.synth.RainLayerBank;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import net.imglib2.img.array.ArrayImgs;

/**
 * A whole training run into an output folder {@code OUT}:
 * <ul>
 * <li>{@code OUT/model.json} + weights: the best model so far by validation PSNR (or the latest, without a
 * validation set; with ema_decay the weight average is validated and saved) — a model folder the Derain commands accept, with the training config and measured validation
 * metrics in its descriptor;</li>
 * <li>{@code OUT/checkpoint/}: the latest resumable state (weights, Adam moments, schedule step, epoch, random
 * stream), written atomically after every epoch and when cancelled;</li>
 * <li>{@code OUT/training-log.csv}: one row per epoch.</li>
 * </ul>
 * A run killed at any point is resumed from its last checkpoint and ends bit-identical to an uninterrupted run.
 */
public final class TrainingRun {
	private TrainingRun() {}

	public static final String CHECKPOINT = "checkpoint";
	public static final String LOG = "training-log.csv";
	/**
	 * Steps between two {@link NativeMemory#trim()} calls: often enough that glibc's heaps cannot fragment their way
	 * to gigabytes, rarely enough that re-touching the released pages costs little (bench/soak_train.sh); 0: never.
	 */
	static final int TRIM_EVERY = Integer.getInteger("derain.trim.every", 100);
	private static final String LOG_HEADER = "epoch,step,lr,loss,ms_ssim_loss,l1,robust,val_psnr,val_ssim,seconds,train_psnr,train_harm\n";

	/** Told about progress; all methods are called on the training thread. */
	public interface Listener {
		/** After every optimizer step; {@code etaSeconds} estimates the rest of the run. */
		void step(DerainTrainer.StepResult r, long totalSteps, double etaSeconds);

		/** After each epoch's validation ({@code validation} is null without a validation set). */
		void epoch(int epoch, Score validation, boolean best);

		void note(String message);
	}

	/**
	 * Trains (or resumes) and returns the descriptor of the model written to {@code out}.
	 *
	 * @param resume continue from {@code out/checkpoint}; without it, an existing model in {@code out} is an error
	 * @throws CancellationException after saving a resumable checkpoint, when {@code cancelled} turns true
	 */
	public static ModelDescriptor run(TrainConfig config, PairDataset data, Path out, boolean resume,
		Listener listener, BooleanSupplier cancelled) throws IOException {
		return run(config, data, out, resume, null, listener, cancelled);
	}

	/**
	 * Like {@link #run(TrainConfig, PairDataset, Path, boolean, Listener, BooleanSupplier)}, fine-tuning: a new run
	 * starts from the weights of the model folder {@code initModel} (null = the config's fresh initialisation),
	 * whose architecture must be {@code config.net()}'s. A resumed run takes its weights from the checkpoint.
	 */
	public static ModelDescriptor run(TrainConfig config, PairDataset data, Path out, boolean resume, Path initModel,
		Listener listener, BooleanSupplier cancelled) throws IOException {
		Path checkpointDir = out.resolve(CHECKPOINT);
		// also a leftover of a save killed between its renames, when checkpoint/ itself is gone
		Path checkpoint = TrainingCheckpoint.latest(checkpointDir);
		if (!resume && (Files.exists(out.resolve(ModelFolder.DESCRIPTOR)) || Files.exists(checkpointDir)
			|| checkpoint != null))
			throw new IllegalArgumentException(out + " already holds a training run: resume it (--resume / 'resume')"
				+ " or choose a new output folder");
		if (resume && checkpoint == null)
			throw new IllegalArgumentException("nothing to resume: " + checkpointDir + " does not exist");
		PairDataset.Split split = data.split(config.valFraction(), config.seed());
		listener.note(String.format(Locale.ROOT, "data: %s — %d training pairs (%d scenes), %d validation pairs",
			data.description(), split.train().size(), split.train().scenes().size(), split.validation().size()));
		listener.note("a checkpoint is saved in " + checkpointDir + " at the end of every epoch; if the run stops, run"
			+ " the same 'derain train' command with --resume (in Fiji: Train Derainer, same output, resume checked)");
		return Engines.withPluginClassLoader(() -> {
			Device device = Engines.select(DeviceChoice.parse(config.device()), listener::note);
			try (NDManager manager = Engines.newManager(device)) {
				DerainNet net = DerainNet.build(config.net());
				Engines.engine().setRandomSeed((int) config.seed());
				net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.patchSize(), config.patchSize()));
				Map<String, String> origin = new LinkedHashMap<>();
				if (initModel != null && !resume) origin.put("fine_tuned_from", startFrom(net, config, initModel, manager));
				if (!origin.isEmpty()) listener.note("fine-tuning from " + origin.get("fine_tuned_from"));
				DerainNetTrainable trainable = new DerainNetTrainable(net, manager);
				DerainTrainer trainer = new DerainTrainer(config, trainable, split.train(), rainSource(),
					new ImageCache(1L << 30), manager);
				if (resume) {
					try (NDManager cm = manager.newSubManager()) {
						trainer.restore(TrainingCheckpoint.load(checkpoint, cm));
					}
					listener.note("resumed at epoch " + trainer.epoch() + ", step " + trainer.step()
						+ (checkpoint.equals(checkpointDir.toAbsolutePath().normalize()) ? ""
							: " from " + checkpoint + " (the last checkpoint save was interrupted)"));
				}
				return loop(config, trainer, net, split.validation(), out, origin, listener, cancelled, manager);
			}
		});
	}

	/**
	 * Loads the weights of {@code model} into {@code net}; returns how the model is named in provenance.
	 *
	 * @throws IllegalArgumentException when the model's architecture is not the config's
	 */
	private static String startFrom(DerainNet net, TrainConfig config, Path model, NDManager manager)
		throws IOException {
		try (NDManager wm = manager.newSubManager()) {
			ModelFolder.Loaded l = ModelFolder.load(model, wm);
			DerainConfig have = l.descriptor().config(), want = config.net();
			if (have.ngf() != want.ngf() || have.nBlocks() != want.nBlocks() || have.norm() != want.norm()
				|| have.activation() != want.activation())
				throw new IllegalArgumentException("cannot fine-tune " + model + ": it is ngf " + have.ngf() + ", "
					+ have.nBlocks() + " blocks, " + have.activation().id() + ", " + have.norm().id()
					+ " norm, but the training config asks for ngf " + want.ngf() + ", " + want.nBlocks() + " blocks, "
					+ want.activation().id() + ", " + want.norm().id() + " norm");
			net.loadStateDict(l.weights());
			return l.descriptor().name() + " (" + model.toAbsolutePath().normalize() + ")";
		}
	}

	/** Rain layers for augmentation, drawn from the run's own random stream (so resume stays exact). */
	static RainLayerSource rainSource() {
		return (w, h, random) -> new RainLayerBank(random.nextLong()).nextLayer(w, h);
	}

	private static ModelDescriptor loop(TrainConfig config, DerainTrainer trainer, DerainNet net,
		PairDataset validation, Path out, Map<String, String> origin, Listener listener, BooleanSupplier cancelled,
		NDManager manager)
		throws IOException {
		Files.createDirectories(out);
		long t0 = System.nanoTime(), firstStep = trainer.step();
		double[] sums = new double[6];
		int inEpoch = 0;
		ModelDescriptor best = Files.exists(out.resolve(ModelFolder.DESCRIPTOR)) ? ModelFolder.readDescriptor(out) : null;
		try (StepLog steps = StepLog.open(out, trainer.step())) {
			while (!trainer.finished()) {
				if (cancelled.getAsBoolean()) {
					saveCheckpoint(trainer, out, manager);
					throw new CancellationException("training cancelled at step " + trainer.step() + "; resumable"
						+ " checkpoint saved in " + out.resolve(CHECKPOINT));
				}
				long stepStart = System.nanoTime();
				DerainTrainer.StepResult r = step(trainer, out);
				if (TRIM_EVERY > 0 && trainer.step() % TRIM_EVERY == 0) NativeMemory.trim();
				steps.append(r, (System.nanoTime() - stepStart) / 1e9, NativeMemory.residentBytes());
				accumulate(sums, r);
				inEpoch++;
				double perStep = (System.nanoTime() - t0) / 1e9 / (trainer.step() - firstStep);
				listener.step(r, trainer.totalSteps(), perStep * (trainer.totalSteps() - trainer.step()));
				if (trainer.step() % trainer.stepsPerEpoch() == 0) {
					trainer.recalibrateBatchNorm();
					Score val;
					boolean isBest;
					try (DerainTrainer.LiveWeights w = trainer.averagedWeights()) {
						val = validation.size() == 0 ? null : validate(net, validation, config.patchSize(), manager);
						isBest = trainer.offerMetric(val == null ? trainer.epoch() : val.psnr());
						if (isBest) best = saveModel(config, trainer, net, val, out, origin);
					}
					appendLog(out, trainer, r, sums, inEpoch, val, (System.nanoTime() - t0) / 1e9);
					saveCheckpoint(trainer, out, manager);
					listener.epoch(trainer.epoch(), val, isBest);
					sums = new double[6];
					inEpoch = 0;
				}
			}
		}
		return best;
	}

	/** One step; a divergence also says what {@code out} still holds (nothing of the diverged epoch is saved). */
	private static DerainTrainer.StepResult step(DerainTrainer trainer, Path out) throws IOException {
		try {
			return trainer.trainStep();
		} catch (TrainingDivergedException e) {
			throw new TrainingDivergedException(e.getMessage() + (trainer.epoch() == 0 ? "; nothing was saved"
				: "; " + out + " keeps the model and checkpoint saved before this epoch"));
		}
	}

	private static void accumulate(double[] sums, DerainTrainer.StepResult r) {
		sums[0] += r.total();
		sums[1] += r.ssim();
		sums[2] += r.l1();
		sums[3] += r.robust();
		sums[4] += r.psnr();
		sums[5] += r.harm();
	}

	/**
	 * Mean standard-convention PSNR/SSIM of the network (eval mode) over the validation pairs, each on its
	 * centre crop of at most 2·patch pixels a side (multiples of 4), so that validation time stays bounded.
	 */
	static Score validate(DerainNet net, PairDataset validation, int patch, NDManager manager) throws IOException {
		double psnr = 0, ssim = 0;
		for (ImagePair p : validation.pairs()) {
			RgbImage rainy = RgbImage.read(p.rainy()), clean = RgbImage.read(p.clean());
			int w = Math.min(2 * patch, rainy.width()) / 4 * 4, h = Math.min(2 * patch, rainy.height()) / 4 * 4;
			int x0 = (rainy.width() - w) / 2, y0 = (rainy.height() - h) / 2;
			float[] in = crop(rainy, x0, y0, w, h), ref = crop(clean, x0, y0, w, h);
			float[] pred;
			try (NDManager sm = manager.newSubManager()) {
				NDArray x = sm.create(in, new Shape(1, 3, h, w)).mul(2).sub(1);
				NDList y = net.forward(new ai.djl.training.ParameterStore(sm, false), new NDList(x), false);
				pred = y.get(0).mul(0.5).add(0.5).clip(0, 1).toFloatArray();
			}
			Score s = Metrics.score(ArrayImgs.floats(pred, w, h, 3), ArrayImgs.floats(ref, w, h, 3), Convention.STANDARD);
			psnr += s.psnr();
			ssim += s.ssim();
		}
		return new Score(psnr / validation.size(), ssim / validation.size());
	}

	private static float[] crop(RgbImage img, int x0, int y0, int w, int h) {
		float[] out = new float[3 * w * h];
		for (int c = 0; c < 3; c++)
			for (int y = 0; y < h; y++)
				System.arraycopy(img.pixels(), (c * img.height() + y0 + y) * img.width() + x0, out, (c * h + y) * w, w);
		return out;
	}

	private static ModelDescriptor saveModel(TrainConfig config, DerainTrainer trainer, DerainNet net, Score val,
		Path out, Map<String, String> origin) throws IOException {
		Map<String, String> provenance = new LinkedHashMap<>();
		provenance.put("source", "trained with Fiji Derain");
		provenance.putAll(origin);
		provenance.put("trained_until", Instant.now().toString());
		provenance.put("epoch", Integer.toString(trainer.epoch()));
		provenance.put("step", Long.toString(trainer.step()));
		Map<String, Double> metrics = new LinkedHashMap<>();
		if (val != null) {
			metrics.put("val_psnr", val.psnr());
			metrics.put("val_ssim", val.ssim());
		}
		String which = val != null ? "best validation PSNR at epoch " : "no validation set: the latest epoch, ";
		ModelDescriptor d = ModelDescriptor.of(out.getFileName().toString(),
			"GT-RAIN Deformable-ResNet trained with Fiji Derain (" + which + trainer.epoch() + ")"
				+ (config.emaDecay() > 0 ? "; weights: their moving average, decay " + config.emaDecay() : ""), config.net(),
			provenance).withMetrics(metrics).withTraining(config.toJsonObject());
		return ModelFolder.save(out, d, net.stateDict(), true);
	}

	private static void saveCheckpoint(DerainTrainer trainer, Path out, NDManager manager) throws IOException {
		try (NDManager cm = manager.newSubManager()) {
			trainer.checkpoint(cm).save(out.resolve(CHECKPOINT));
		}
	}

	/** Rewrites the log atomically with one more row, dropping rows of epochs a resumed run redoes. */
	private static void appendLog(Path out, DerainTrainer trainer, DerainTrainer.StepResult last, double[] sums,
		int n, Score val, double seconds) throws IOException {
		Path log = out.resolve(LOG);
		StringBuilder b = new StringBuilder(LOG_HEADER);
		if (Files.exists(log)) {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			for (String line : lines.subList(Math.min(1, lines.size()), lines.size()))
				if (!line.isBlank() && Integer.parseInt(line.substring(0, line.indexOf(','))) < trainer.epoch())
					b.append(line).append('\n');
		}
		b.append(String.format(Locale.ROOT, "%d,%d,%.6g,%.6f,%.6f,%.6f,%.6f,%s,%s,%.1f,%.4f,%.4f%n", trainer.epoch(),
			trainer.step(), last.learningRate(), sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n,
			val == null ? "" : String.format(Locale.ROOT, "%.4f", val.psnr()),
			val == null ? "" : String.format(Locale.ROOT, "%.5f", val.ssim()), seconds, sums[4] / n, sums[5] / n));
		byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
		AtomicFiles.write(log, true, o -> o.write(bytes));
	}
}
