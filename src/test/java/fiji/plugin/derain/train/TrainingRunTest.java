package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.metrics.Score;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.predict.Derainer;
import fiji.plugin.derain.synth.RainParams;
import fiji.plugin.derain.synth.RainSynthesizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import ij.ImagePlus;
import ij.process.ColorProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole (tiny) training run on synthesized pairs: outputs, cancel, a kill during a save, and exact resume. */
class TrainingRunTest {
	@TempDir
	static Path data;

	@TempDir
	Path tmp;

	static final TrainConfig CONFIG = TrainConfig.defaults().with(b -> {
		b.epochs = 2;
		b.batchSize = 2;
		// MS-SSIM needs 161-px patches; its loss is checked against PyTorch in DerainLossesTest, the loop here
		// runs on small patches with the L1 and rain-robust terms to stay fast.
		b.patchSize = 48;
		b.ssimWeight = 0;
		b.stepsPerEpoch = 2;
		b.warmupEpochs = 1;
		b.valFraction = 0.25;
		b.seed = 5;
		b.device = "cpu";
		b.net = new DerainConfig(2, 1, DerainConfig.Activation.LEAKY, DerainConfig.Norm.BATCH, DerainConfig.Init.NORMAL);
	});

	static final TrainConfig ONE_EPOCH = CONFIG.with(b -> {
		b.epochs = 1;
		b.warmupEpochs = 0;
	});

	/** Four 200×180 "photos" (smooth colour ramps) with synthesized rain, as folder pairs. */
	@BeforeAll
	static void pairs() throws IOException {
		Files.createDirectories(data.resolve("rainy"));
		Files.createDirectories(data.resolve("clean"));
		for (int k = 0; k < 4; k++) {
			int w = 200, h = 180;
			float[] planar = new float[3 * w * h];
			for (int c = 0; c < 3; c++)
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++)
						planar[(c * h + y) * w + x] = (float) (0.5 + 0.4 * Math.sin(0.03 * (k + 1) * x + c + 0.05 * y));
			float[] rainy = RainSynthesizer.apply(planar, w, h, 3, RainParams.defaults().withSeed(k)).rainy();
			save(planar, w, h, data.resolve("clean/p" + k + ".png"));
			save(rainy, w, h, data.resolve("rainy/p" + k + ".png"));
		}
	}

	static void save(float[] planar, int w, int h, Path file) {
		ColorProcessor cp = new ColorProcessor(w, h);
		for (int i = 0; i < w * h; i++)
			cp.set(i, (Math.round(planar[i] * 255) << 16) | (Math.round(planar[w * h + i] * 255) << 8)
				| Math.round(planar[2 * w * h + i] * 255));
		new ij.io.FileSaver(new ImagePlus("x", cp)).saveAsPng(file.toString());
	}

	static PairDataset dataset() throws IOException {
		return PairDataset.folderPairs(data.resolve("rainy"), data.resolve("clean"));
	}

	@Test
	void cancelledThenKilledMidSaveRunResumesExactlyAsAnUninterruptedOne() throws Exception {
		Path full = tmp.resolve("full"), interrupted = tmp.resolve("interrupted");
		List<Integer> epochs = new ArrayList<>();
		ModelDescriptor d = TrainingRun.run(CONFIG, dataset(), full, false, listener(epochs), () -> false);
		assertEquals(List.of(1, 2), epochs);
		assertTrue(d.metrics().containsKey("val_psnr"), d.metrics().toString());
		assertEquals(CONFIG.toJsonObject(), d.training());
		assertEquals(3, Files.readAllLines(full.resolve(TrainingRun.LOG)).size(), "header + one row per epoch");

		Recording cut = new Recording();
		assertThrows(CancellationException.class,
			() -> TrainingRun.run(CONFIG, dataset(), interrupted, false, cut, () -> cut.steps.size() >= 3));
		assertEquals(List.of(0L, 1L, 2L), cut.steps);
		assertTrue(cut.notes.stream().anyMatch(n -> n.contains("with --resume")), "the run says how to resume: " + cut.notes);
		assertThrows(IllegalArgumentException.class,
			() -> TrainingRun.run(CONFIG, dataset(), interrupted, false, new Recording(), () -> false),
			"an existing run is never overwritten without resume");
		// then killed while re-saving that checkpoint, between its two renames: no checkpoint/ is left
		Path checkpoint = interrupted.resolve(TrainingRun.CHECKPOINT);
		try (NDManager m = NDManager.newBaseManager()) {
			assertThrows(TrainingCheckpointTest.Killed.class, () -> TrainingCheckpoint.load(checkpoint, m).save(checkpoint,
				p -> {
					if (p.equals("target moved to old")) throw new TrainingCheckpointTest.Killed(p);
				}));
		}
		assertFalse(Files.exists(checkpoint));

		Recording resumed = new Recording();
		TrainingRun.run(CONFIG, dataset(), interrupted, true, resumed, () -> false);
		assertEquals(List.of(3L), resumed.steps, "the resumed run takes only the step the checkpoint had not taken");
		assertTrue(resumed.notes.stream().anyMatch(n -> n.startsWith("resumed at epoch 1, step 3 from ")),
			resumed.notes.toString());
		try (java.util.stream.Stream<Path> s = Files.list(interrupted)) {
			assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
				"the interrupted save's leftovers are gone");
		}

		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> a = TrainingCheckpoint.load(full.resolve(TrainingRun.CHECKPOINT), m).weights();
			Map<String, NDArray> b = TrainingCheckpoint.load(interrupted.resolve(TrainingRun.CHECKPOINT), m).weights();
			for (String k : a.keySet())
				if (a.get(k).getDataType().isFloating())
					assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
		}
		assertEquals(Files.readString(full.resolve(ModelFolder.DESCRIPTOR)).replaceAll("\"trained_until\": \"[^\"]*\"", ""),
			Files.readString(interrupted.resolve(ModelFolder.DESCRIPTOR)).replaceAll("\"trained_until\": \"[^\"]*\"", "")
				.replace("\"interrupted\"", "\"full\""));
	}

	/**
	 * {@code train --lr 1e30} (the real network): before, the NaN weights made the deformable convs fail with
	 * "index -9223372036854775808 is out of bounds"; now the run stops at the first NaN and saves nothing.
	 */
	@Test
	void aDivergingRunStopsWithOneLineAndSavesNothingOfIt() throws Exception {
		Path out = tmp.resolve("diverged");
		TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> TrainingRun.run(
			CONFIG.with(b -> b.learningRate = 1e30), dataset(), out, false, listener(new ArrayList<>()), () -> false));
		assertTrue(e.getMessage().startsWith("training diverged: "), e.getMessage());
		assertTrue(e.getMessage().contains(" at epoch 1, step "), e.getMessage());
		assertTrue(e.getMessage().endsWith("lower the learning rate (lr, now 1.00e+30; GT-RAIN uses 2e-4) and train"
			+ " again; nothing was saved"), e.getMessage());
		assertFalse(Files.exists(out.resolve(ModelFolder.DESCRIPTOR)));
		assertFalse(Files.exists(out.resolve(TrainingRun.CHECKPOINT)));
	}

	@Test
	void theTrainedModelDerainsThroughTheEngine() throws Exception {
		Path out = tmp.resolve("model");
		ModelDescriptor trained = TrainingRun.run(ONE_EPOCH, dataset(), out, false, listener(new ArrayList<>()),
			() -> false);
		assertTrue(trained.description().endsWith("(best validation PSNR at epoch 1)"), trained.description());
		ModelDescriptor noVal = TrainingRun.run(ONE_EPOCH.with(b -> b.valFraction = 0), dataset(), tmp.resolve("noval"),
			false, listener(new ArrayList<>()), () -> false);
		assertTrue(noVal.description().endsWith("(no validation set: the latest epoch, 1)"), noVal.description());
		try (Derainer d = Derainer.open(out, DeviceChoice.CPU, s -> {})) {
			ImagePlus result = d.derain(ij.IJ.openImage(data.resolve("rainy/p0.png").toString()), Derainer.Settings.DEFAULT,
				(a, b) -> {}, () -> false);
			assertEquals(200, result.getWidth());
			assertEquals(ImagePlus.COLOR_RGB, result.getType());
		}
	}

	@Test
	void fineTuningStartsFromAModelsWeights() throws Exception {
		Path base = tmp.resolve("base"), tuned = tmp.resolve("tuned");
		TrainingRun.run(ONE_EPOCH, dataset(), base, false, listener(new ArrayList<>()), () -> false);
		// with a learning rate of ~0 the fine-tuned weights stay the base model's: they really were loaded
		TrainConfig frozen = ONE_EPOCH.with(b -> {
			b.learningRate = 1e-30;
			b.minLearningRate = 0;
		});
		ModelDescriptor d = TrainingRun.run(frozen, dataset(), tuned, false, base, listener(new ArrayList<>()),
			() -> false);
		assertTrue(d.provenance().get("fine_tuned_from").startsWith("base ("), d.provenance().toString());
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> a = ModelFolder.load(base, m).weights(), b = ModelFolder.load(tuned, m).weights();
			for (String k : a.keySet())
				if (!k.contains("running_") && !k.endsWith("num_batches_tracked"))
					assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 1e-6f, k);
		}
		TrainConfig other = ONE_EPOCH.with(b -> b.net = new DerainConfig(4, 1, DerainConfig.Activation.LEAKY,
			DerainConfig.Norm.BATCH, DerainConfig.Init.NORMAL));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.run(other, dataset(),
			tmp.resolve("mismatch"), false, base, listener(new ArrayList<>()), () -> false));
		assertTrue(e.getMessage().contains("cannot fine-tune"), e.getMessage());
	}

	/**
	 * With ema_decay the model folder holds the checkpoint's weight average for the parameters (validated on it)
	 * and the live BatchNorm statistics; the description says so.
	 */
	@Test
	void withAWeightAverageTheModelFolderHoldsTheAverage() throws Exception {
		Path out = tmp.resolve("ema");
		TrainConfig averaged = ONE_EPOCH.with(b -> b.emaDecay = 0.9);
		ModelDescriptor d = TrainingRun.run(averaged, dataset(), out, false, listener(new ArrayList<>()), () -> false);
		assertTrue(d.description().endsWith("; weights: their moving average, decay 0.9"), d.description());
		try (NDManager m = NDManager.newBaseManager()) {
			TrainingCheckpoint c = TrainingCheckpoint.load(out.resolve(TrainingRun.CHECKPOINT), m);
			Map<String, NDArray> model = ModelFolder.load(out, m).weights();
			assertEquals(2, c.step());
			int differ = 0;
			for (Map.Entry<String, NDArray> e : model.entrySet()) {
				NDArray avg = c.average().get(e.getKey()), live = c.weights().get(e.getKey());
				if (!e.getValue().getDataType().isFloating()) continue;
				float[] w = e.getValue().toFloatArray();
				assertArrayEquals((avg != null ? avg : live).toFloatArray(), w, 0f, e.getKey());
				if (avg != null && !java.util.Arrays.equals(w, live.toFloatArray())) differ++;
			}
			assertEquals(model.keySet().stream().filter(k -> !k.contains("running_") && !k.endsWith("num_batches_tracked"))
				.count(), c.average().size(), "every trainable parameter is averaged");
			assertTrue(differ > 0, "the saved weights are the average, not the last step's");
		}
	}

	static TrainingRun.Listener listener(List<Integer> epochs) {
		return new TrainingRun.Listener() {
			@Override
			public void step(DerainTrainer.StepResult r, long totalSteps, double etaSeconds) {}

			@Override
			public void epoch(int epoch, Score validation, boolean best) {
				epochs.add(epoch);
			}

			@Override
			public void note(String message) {}
		};
	}

	/** Records the index of every step taken and every note. */
	static final class Recording implements TrainingRun.Listener {
		final List<Long> steps = new ArrayList<>();
		final List<String> notes = new ArrayList<>();

		@Override
		public void step(DerainTrainer.StepResult r, long totalSteps, double etaSeconds) {
			steps.add(r.step());
		}

		@Override
		public void epoch(int epoch, Score validation, boolean best) {}

		@Override
		public void note(String message) {
			notes.add(message);
		}
	}
}
