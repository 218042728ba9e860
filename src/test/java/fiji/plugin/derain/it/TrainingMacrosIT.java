package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.CommandFixtures;
import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.metrics.Convention;
import fiji.plugin.derain.metrics.Metrics;
import fiji.plugin.derain.predict.Derainer;
import fiji.plugin.derain.synth.RainParams;
import fiji.plugin.derain.synth.SynthesizeBatch;
import fiji.plugin.derain.tensor.ImageBridge;
import fiji.plugin.derain.tensor.Scaling;
import fiji.plugin.derain.train.ImagePair;
import fiji.plugin.derain.train.PairDataset;
import fiji.plugin.derain.train.TrainingCheckpoint;
import fiji.plugin.derain.train.TrainingRun;

import ij.ImagePlus;

import ai.djl.ndarray.NDManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training workflow in real ImageJ 1.54p ({@code -batch}, under Xvfb): {@code Synthesize_Rain.ijm} turns four
 * 64×64 photos into pairs, {@code Train_Derainer.ijm} trains a tiny network on them, and the model folder it
 * leaves derains through the engine in this JVM.
 */
class TrainingMacrosIT {
	@TempDir
	static Path tmp;

	@BeforeAll
	static void xvfb() {
		ImageJApp.assumeXvfb();
	}

	@Test
	void synthesizeThenTrainThenDerain() throws Exception {
		Path photos = Files.createDirectories(tmp.resolve("clean photos")), pairs = tmp.resolve("pairs");
		for (int k = 0; k < 4; k++)
			ImageFiles.write(new ImagePlus("p" + k, CommandFixtures.rgb(64, 64, 50 + k)), photos.resolve("p" + k + ".png"),
				ImageFiles.Format.PNG, false);
		String synth = MacrosIT.runMacro("Synthesize_Rain.ijm", "input=[" + photos + "] output=[" + pairs
			+ "] preset=heavy seed=3 angle=15");
		assertTrue(synth.contains("Synthesize Rain: 4 done"), synth);
		// The macro's pairs are the engine's, run here with the same values.
		Path expected = tmp.resolve("expected");
		RainParams params = RainParams.Preset.HEAVY.params().toBuilder().optAngle(15).optSeed(3).build();
		SynthesizeBatch engine = new SynthesizeBatch(expected, params, true, 0, false);
		engine.job().process(photos.resolve("p2.png"), Path.of("p2.png"));
		assertEquals(0, CommandFixtures.maxRgbDifference(ImageFiles.read(pairs.resolve("rainy/p2.png")),
			ImageFiles.read(expected.resolve("rainy/p2.png"))));

		Path model = tmp.resolve("my model");
		String train = MacrosIT.runMacro("Train_Derainer.ijm", "rainy=[" + pairs.resolve("rainy") + "] clean=["
			+ pairs.resolve("clean") + "] output=[" + model + "] epochs=1 batch=2 patch=48 ssim_weight=0 ngf=2 blocks=1"
			+ " steps_per_epoch=2 val_fraction=0.25 seed=1 bn_batches=2 device=cpu");
		assertTrue(train.contains("Train Derainer: epoch 1/1 done, mean loss "), train);
		ModelDescriptor d = ModelFolder.readDescriptor(model);
		double psnr = d.metrics().get("val_psnr"), ssim = d.metrics().get("val_ssim");
		assertTrue(psnr > 0 && ssim > -1 && ssim <= 1, d.metrics().toString());
		assertTrue(train.contains("Train Derainer: model in " + model + " metrics:{val_psnr:"), train);
		assertEquals(2, d.config().ngf());
		assertEquals(1, d.config().nBlocks());
		assertEquals(2, d.training().get("bn_batches").getAsInt(), "the macro's bn_batches reached the training config");

		// Fine-tuning from the macro: init_model + freeze_bn reach the run.
		Path tuned = tmp.resolve("tuned");
		String tune = MacrosIT.runMacro("Train_Derainer.ijm", "rainy=[" + pairs.resolve("rainy") + "] clean=["
			+ pairs.resolve("clean") + "] output=[" + tuned + "] init_model=[" + model + "] freeze_bn epochs=1 batch=2"
			+ " patch=48 ssim_weight=0 steps_per_epoch=2 val_fraction=0.25 seed=1 device=cpu");
		ModelDescriptor t = ModelFolder.readDescriptor(tuned);
		assertTrue(t.training().get("freeze_bn").getAsBoolean(), tune);
		assertTrue(t.provenance().get("fine_tuned_from").contains(model.getFileName().toString()), t.provenance() + tune);
		assertEquals(2, t.config().ngf(), "the architecture is the initial model's");

		// model.json's validation PSNR is what the engine's derainer scores on the held-out pair (whole 64×64
		// images; the engine's output is rounded to 8 bits, validation scored the float output: ±0.05 dB).
		ImagePair held = PairDataset.folderPairs(pairs.resolve("rainy"), pairs.resolve("clean")).split(0.25, 1)
			.validation().pairs().get(0);
		ImagePlus rainy = ImageFiles.read(held.rainy());
		try (Derainer derainer = Derainer.open(model, DeviceChoice.CPU, s -> {})) {
			ImagePlus derained = derainer.derain(rainy, new Derainer.Settings(0, 0, null), (a, b) -> {}, () -> false);
			assertEquals(ImagePlus.COLOR_RGB, derained.getType());
			Scaling bytes = Scaling.BYTE;
			double measured = Metrics.psnr(ImageBridge.frame(derained, 1, 1, bytes),
				ImageBridge.frame(ImageFiles.read(held.clean()), 1, 1, bytes), Convention.STANDARD);
			assertEquals(psnr, measured, 0.05, "validation PSNR in model.json vs the engine's");
		}
	}

	/** With ImageJ's window (not batch mode) the run draws its live plots: loss per step, PSNR per epoch. */
	@Test
	void withAScreenTheRunPlotsLossAndValidationPsnr() throws Exception {
		Path pairs = CommandFixtures.trainingPairs(tmp.resolve("gui pairs"), 4, 64), model = tmp.resolve("gui model");
		Path marker = ImageJApp.artifacts().resolve("train-gui.done");
		Files.deleteIfExists(marker);
		Path macro = ImageJApp.macro("train-gui.ijm", ""
			+ "run(\"Train Derainer\", \"rainy=[" + pairs.resolve("rainy") + "] clean=[" + pairs.resolve("clean")
			+ "] output=[" + model + "] epochs=2 batch=2 patch=48 ssim_weight=0 ngf=2 blocks=1 steps_per_epoch=2"
			+ " val_fraction=0.25 seed=1 device=cpu\");\n"
			+ "titles = getList(\"image.titles\"); s = \"\";\n"
			+ "for (i = 0; i < titles.length; i++) {\n"
			+ "  selectWindow(titles[i]); Plot.getValues(x, y);\n"
			+ "  s = s + titles[i] + \" points=\" + x.length + \" last=\" + d2s(y[y.length - 1], 4) + \"\\n\";\n"
			+ "}\n"
			+ "File.saveString(s, " + ImageJApp.quoted(marker) + ");\n");
		ImageJApp.Run run = ImageJApp.run(List.of("-macro", macro.toString()), ImageJApp.artifacts().resolve(
			"train-gui.log"), Duration.ofSeconds(90), () -> Files.exists(marker));
		assertTrue(run.stoppedByTest(), "ImageJ quit before the plots were read: " + run.output());
		List<String> plots = Files.readAllLines(marker);
		assertEquals(2, plots.size(), plots.toString());
		assertTrue(plots.get(0).startsWith("Training ") && plots.get(0).contains("gui model points=4 last="),
			plots.toString());
		double bestPsnr = ModelFolder.readDescriptor(model).metrics().get("val_psnr");
		assertTrue(plots.get(1).startsWith("Validation ") && plots.get(1).contains("gui model points=2 last="),
			plots.toString());
		double lastPsnr = Double.parseDouble(plots.get(1).substring(plots.get(1).indexOf("last=") + 5));
		assertTrue(lastPsnr <= bestPsnr + 1e-4, lastPsnr + " vs best " + bestPsnr);
	}

	@Test
	void quittingImageJMidTrainingSavesACheckpointOfTheStepInsteadOfCrashing() throws Exception {
		Path pairs = CommandFixtures.trainingPairs(tmp.resolve("quit pairs"), 4, 64), model = tmp.resolve("quit model");
		Path state = model.resolve(TrainingRun.CHECKPOINT).resolve(TrainingCheckpoint.STATE);
		// the app is stopped (SIGTERM, as when the machine shuts down or the user kills ImageJ) once the first epoch's
		// checkpoint exists, in the middle of a 6-epoch run
		ImageJApp.Run run = ImageJApp.run(List.of("-batch", Path.of("macros", "Train_Derainer.ijm").toAbsolutePath()
			.toString(), "rainy=[" + pairs.resolve("rainy") + "] clean=[" + pairs.resolve("clean") + "] output=[" + model
			+ "] epochs=6 batch=2 patch=48 ssim_weight=0 ngf=2 blocks=1 steps_per_epoch=15 val_fraction=0.25 seed=1"
			+ " device=cpu"), ImageJApp.artifacts().resolve("Train_Derainer-quit.log"), Duration.ofSeconds(120),
			() -> Files.exists(state));
		assertTrue(run.stoppedByTest(), run.output());
		String log = Files.readString(ImageJApp.artifacts().resolve("Train_Derainer-quit.log"));
		assertFalse(log.contains("A fatal error has been detected"), log);
		assertTrue(log.contains("Train Derainer: the application is quitting; stopping after the current step"), log);
		Matcher stopped = Pattern.compile("training cancelled at step (\\d+); resumable").matcher(log);
		assertTrue(stopped.find(), log);
		try (NDManager m = NDManager.newBaseManager()) {
			assertEquals(Long.parseLong(stopped.group(1)), TrainingCheckpoint.load(TrainingCheckpoint.latest(
				model.resolve(TrainingRun.CHECKPOINT)), m).step(), "the checkpoint is the step the run stopped at");
		}
	}
}
