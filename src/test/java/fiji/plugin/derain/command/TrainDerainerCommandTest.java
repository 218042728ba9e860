package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.train.TrainConfig;
import fiji.plugin.derain.train.TrainingCheckpoint;
import fiji.plugin.derain.train.TrainingRun;

import ij.measure.ResultsTable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/**
 * Train Derainer through CommandService on four 64×64 synthesized pairs with a tiny network (ngf 2, one block,
 * 48-px patches without MS-SSIM): the model folder and its log, cancel then resume ending as an uninterrupted run,
 * and messages naming the parameter.
 */
class TrainDerainerCommandTest {
	@TempDir
	static Path data;
	@TempDir
	Path tmp;
	Context context;

	/** The tiny run's keys: 2 epochs of 2 steps, one of the four pairs held out for validation. */
	static final Object[] TINY = { "epochs", 2, "batch", 2, "patch", 48, "ssim_weight", 0.0, "steps_per_epoch", 2, "ngf",
		2, "blocks", 1, "val_fraction", 0.25, "seed", 5L, "device", "cpu" };

	@BeforeAll
	static void pairs() throws Exception {
		CommandFixtures.trainingPairs(data, 4, 64);
	}

	@BeforeEach
	void createContext() {
		context = new Context(CommandService.class, LogService.class);
	}

	@AfterEach
	void disposeContext() {
		context.dispose();
	}

	private Map<String, Object> train(Path output, Object... more) throws Throwable {
		List<Object> inputs = new ArrayList<>(List.of("rainy", data.resolve("rainy").toFile(), "clean",
			data.resolve("clean").toFile(), "output", output.toFile()));
		inputs.addAll(List.of(TINY));
		inputs.addAll(List.of(more));
		return CommandFixtures.run(context, TrainDerainerCommand.class, inputs.toArray());
	}

	@Test
	void fineTunesFromAModelWhoseArchitectureItTakes() throws Throwable {
		Path base = tmp.resolve("base"), tuned = tmp.resolve("tuned");
		train(base);
		// ngf 8 is asked for, but the weights fix the architecture: the base model's ngf 2 is used
		train(tuned, "init_model", base.toString(), "ngf", 8);
		ModelDescriptor d = ModelFolder.readDescriptor(tuned);
		assertEquals(2, d.config().ngf());
		assertTrue(d.provenance().get("fine_tuned_from").contains(base.toAbsolutePath().normalize().toString()),
			d.provenance().toString());
	}

	@Test
	void lossScheduleAndAugmentationKeysReachTheConfig() throws Throwable {
		Path out = tmp.resolve("keys");
		Map<String, Object> result = train(out, "psnr_weight", 0.05, "l1_weight", 1.0, "robust_weight", 0.0, "min_lr",
			"1e-5", "warmup_epochs", "0", "rain_probability", 0.2, "rotation_std", 0.0, "ema_decay", 0.99);
		TrainConfig c = TrainConfig.fromJson(ModelFolder.readDescriptor(out).training(), "model.json");
		assertEquals(List.of(0.05, 1.0, 0.0, 1e-5, 0, 0.2, 0.0, 0.99), List.of(c.psnrWeight(), c.l1Weight(),
			c.robustWeight(), c.minLearningRate(), c.warmupEpochs(), c.rainProbability(), c.rotationStdDegrees(),
			c.emaDecay()));
		ResultsTable log = (ResultsTable) result.get("log");
		for (int row = 0; row < log.size(); row++) {
			double psnr = log.getValue("train_psnr", row);
			// the tiny 2-channel network's output on 48-pixel patches: a real PSNR, not the NaN of an unused term
			assertTrue(psnr > 3 && psnr < 60, "epoch " + row + " train_psnr " + psnr);
		}
	}

	@Test
	void trainsAModelFolderWithItsLogAndResumesACancelledRunExactly() throws Throwable {
		Path full = tmp.resolve("full");
		Map<String, Object> out = train(full);
		assertEquals(full.toString(), out.get("model"));
		ResultsTable log = (ResultsTable) out.get("log");
		assertEquals(2, log.size(), "one row per epoch");
		assertEquals(4, log.getValue("step", 1));
		ModelDescriptor d = ModelFolder.readDescriptor(full);
		assertEquals(Math.max(log.getValue("val_psnr", 0), log.getValue("val_psnr", 1)), d.metrics().get("val_psnr"),
			1e-4, "model.json holds the best epoch's validation PSNR");
		assertEquals(TrainConfig.defaults().with(b -> {
			b.epochs = 2;
			b.batchSize = 2;
			b.patchSize = 48;
			b.ssimWeight = 0;
			b.stepsPerEpoch = 2;
			b.warmupEpochs = 1;
			b.valFraction = 0.25;
			b.seed = 5;
			b.device = "cpu";
			b.net = new fiji.plugin.derain.net.DerainConfig(2, 1, b.net.activation(), b.net.norm(), b.net.init());
		}).toJsonObject(), d.training(), "the keys reach the config (warm-up shortened to fit 2 epochs)");

		// Esc after the third step: a normal end with a resumable checkpoint, not an error.
		Path cut = tmp.resolve("cut");
		Recording first = new Recording(3);
		TrainDerainerCommand.Trained t = TrainDerainerCommand.train(new TrainDerainerCommand.Data("folder_pairs",
			data.resolve("rainy").toFile(), data.resolve("clean").toFile(), null), cut.toFile(), false, null,
			TrainDerainerCommand.options(TINY), first);
		assertTrue(t.cancelled());
		assertEquals(List.of("step 1/4", "step 2/4", "step 3/4"), first.steps);
		assertEquals(1, t.log().size(), "the first epoch finished before the cancel");
		assertTrue(Files.isRegularFile(cut.resolve(TrainingRun.CHECKPOINT).resolve(TrainingCheckpoint.STATE)));
		assertTrue(first.lines.stream().anyMatch(l -> l.contains("(in Fiji: Train Derainer, same output, resume checked)")),
			"the run says how to resume if it dies: " + first.lines);
		String last = first.lines.get(first.lines.size() - 1);
		assertTrue(last.startsWith("Train Derainer: training cancelled at step 3; resumable checkpoint saved in "), last);
		assertTrue(last.endsWith("resume=true"), last);

		// Resume takes the checkpoint's config, even with other values given, runs only the step left, and ends as
		// the uninterrupted run.
		Recording second = new Recording(Integer.MAX_VALUE);
		List<Object> epochs7 = new ArrayList<>(List.of(TINY));
		epochs7.addAll(List.of("epochs", 7));
		TrainDerainerCommand.Trained resumed = TrainDerainerCommand.train(new TrainDerainerCommand.Data("folder_pairs",
			data.resolve("rainy").toFile(), data.resolve("clean").toFile(), null), cut.toFile(), true, null,
			TrainDerainerCommand.options(epochs7.toArray()), second);
		assertFalse(resumed.cancelled());
		assertEquals(List.of("step 4/4"), second.steps, "the resumed run takes only the step the checkpoint had not");
		assertTrue(second.lines.contains("Train Derainer: resumed at epoch 1, step 3"), second.lines.toString());
		assertEquals(2, resumed.log().size());
		ResultsTable a = (ResultsTable) out.get("log"), b = resumed.log();
		for (String column : new String[] { "step", "lr", "val_psnr", "val_ssim" })
			for (int row = 0; row < 2; row++)
				assertEquals(a.getValue(column, row), b.getValue(column, row), column + " of epoch " + (row + 1));
		Path lastWeights = Path.of(TrainingRun.CHECKPOINT, TrainingCheckpoint.WEIGHTS);
		assertArrayEquals(Files.readAllBytes(full.resolve(lastWeights)), Files.readAllBytes(cut.resolve(lastWeights)),
			"bit-identical weights after the last step");
		assertEquals(d.metrics(), ModelFolder.readDescriptor(cut).metrics());
	}

	/** Records Train Derainer's log lines and the "step i/n" of each step status; presses Esc after some steps. */
	static final class Recording implements CommandSupport.Feedback {
		final List<String> steps = new ArrayList<>(), lines = new ArrayList<>();
		final int escAfter;

		Recording(int escAfter) {
			this.escAfter = escAfter;
		}

		public void status(String message) {
			int i = message.indexOf(", step ");
			if (i >= 0) steps.add(message.substring(i + 2, message.indexOf(',', i + 2)));
		}

		public void progress(long done, long total) {}

		public void log(String line) {
			lines.add(line);
		}

		public boolean cancelled() {
			return steps.size() >= escAfter;
		}

		public void fail(String command, Throwable error) {
			throw new AssertionError(command, error);
		}
	}

	@Test
	void badParametersAreNamedBeforeTraining() {
		Path out = tmp.resolve("model");
		DerainImageCommandTest.assertMessage("Train Derainer: patch must be at least 161 for 5-scale MS-SSIM (or set "
			+ "ssim_weight to 0), got 48", () -> train(out, "ssim_weight", 1.0));
		DerainImageCommandTest.assertMessage("Train Derainer: unknown activation 'relu': use leaky | mish",
			() -> train(out, "activation", "relu"));
		DerainImageCommandTest.assertMessage("Train Derainer: robust_weight must be 0 while scene_frames > 1 (the "
			+ "rain-robust loss takes the other pairs of a batch as other scenes), got 0.1",
			() -> train(out, "scene_frames", 2));
		DerainImageCommandTest.assertMessage("Train Derainer: output: choose a folder for the trained model",
			() -> CommandFixtures.run(context, TrainDerainerCommand.class, "rainy", data.resolve("rainy").toFile()));
		DerainImageCommandTest.assertMessage("Train Derainer: clean: choose the folder of clean images with the same "
			+ "names", () -> CommandFixtures.run(context, TrainDerainerCommand.class, "rainy",
				data.resolve("rainy").toFile(), "output", out.toFile()));
		DerainImageCommandTest.assertMessage("Train Derainer: gtrain: choose a GT-RAIN folder of scenes",
			() -> train(out, "data", "gtrain"));
		DerainImageCommandTest.assertMessage("Train Derainer: not found: " + out.resolve("checkpoint/state.json")
			+ " (nothing to resume in " + out + ")", () -> train(out, "resume", true));
		assertFalse(Files.exists(out), "nothing was written");
	}
}
