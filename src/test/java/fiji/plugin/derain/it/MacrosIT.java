package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.CommandFixtures;
import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.evaluate.Pairing;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.metrics.Convention;

import ij.ImagePlus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the macros of {@code macros/} in real ImageJ 1.54p ({@code -batch}, under Xvfb) with the tiny imported
 * GT-RAIN model, and checks what they wrote against the engine run here in the test JVM: the ImageJ 1.x menu
 * commands, their macro keys and the plugin class loader all have to work for the pixels to match.
 */
class MacrosIT {
	@TempDir
	static Path tmp;
	static Path model;

	@BeforeAll
	static void importModel() throws Exception {
		ImageJApp.assumeXvfb();
		model = CommandFixtures.importModel(tmp.resolve("model"));
	}

	/** Runs {@code macros/<name>} with {@code argument} and returns ImageJ's output; fails on a non-zero exit. */
	static String runMacro(String name, String argument) throws Exception {
		Path macro = Path.of("macros", name).toAbsolutePath();
		assertTrue(Files.isRegularFile(macro), macro + " is missing");
		ImageJApp.Run run = ImageJApp.run(List.of("-batch", macro.toString(), argument),
			ImageJApp.artifacts().resolve(name + ".log"), Duration.ofSeconds(90), () -> false);
		assertEquals(0, run.exitCode(), run.output());
		assertFalse(run.output().contains("Unrecognized command"), run.output());
		assertFalse(run.output().contains("No deep learning engine"), run.output());
		return run.output();
	}

	private static String modelArgs() {
		return " model=folder model_folder=[" + model + "] tile=64 overlap=16 device=cpu";
	}

	@Test
	void derainFolderMacroWritesTheEnginesPixelsAndAReport() throws Exception {
		Path in = Files.createDirectories(tmp.resolve("folder in")), out = tmp.resolve("folder out");
		ImageFiles.write(new ImagePlus("a", CommandFixtures.rgb(40, 32, 11)), in.resolve("a.png"), ImageFiles.Format.PNG,
			false);
		ImageFiles.write(new ImagePlus("b", CommandFixtures.rgb(40, 32, 12)), in.resolve("b.png"), ImageFiles.Format.PNG,
			false);
		Files.writeString(in.resolve("broken.png"), "not a PNG");
		String output = runMacro("Derain_Folder.ijm", "input=[" + in + "] output=[" + out + "]" + modelArgs());
		assertTrue(output.contains("Derain Folder: 2 done, 1 failed"), output);
		for (String name : new String[] { "a.png", "b.png" }) {
			ImagePlus expected = CommandFixtures.engine(model, ImageFiles.read(in.resolve(name)), 64, 16);
			assertTrue(CommandFixtures.maxRgbDifference(ImageFiles.read(out.resolve(name)), expected) <= 1, name);
		}
		List<String> report = Files.readAllLines(out.resolve("derain-folder-report.csv"));
		assertEquals("file,status,seconds,message", report.get(0));
		assertTrue(report.get(3).startsWith("broken.png,failed,"), report.toString());
		assertEquals(4, report.size());
	}

	@Test
	void derainStackMacroDerainsEveryFrame() throws Exception {
		Path rainy = tmp.resolve("stack.tif"), derained = tmp.resolve("stack-derained.tif");
		ImagePlus stack = CommandFixtures.rgbStack("stack", 40, 32, 3, 21);
		ImageFiles.write(stack, rainy, ImageFiles.Format.TIFF, false);
		String output = runMacro("Derain_Stack.ijm", "input=[" + rainy + "] output=[" + derained + "]" + modelArgs());
		assertTrue(output.contains("Derain Stack: 3 frame(s)"), output);
		ImagePlus result = ImageFiles.read(derained);
		assertEquals(3, result.getStackSize());
		ImagePlus expected = CommandFixtures.engine(model, ImageFiles.read(rainy), 64, 16);
		assertTrue(CommandFixtures.maxRgbDifference(result, expected) <= 1);
		assertTrue(CommandFixtures.maxRgbDifference(result, stack) > 10, "the frames were not derained");
	}

	@Test
	void evaluateFolderMacroPrintsTheMeanAndWritesTheCsv() throws Exception {
		Path pred = Files.createDirectories(tmp.resolve("pred")), ref = Files.createDirectories(tmp.resolve("ref"));
		for (int i = 0; i < 2; i++) {
			ImageFiles.write(new ImagePlus("p", CommandFixtures.rgb(40, 32, 30 + i)), pred.resolve(i + ".png"),
				ImageFiles.Format.PNG, false);
			ImageFiles.write(new ImagePlus("r", CommandFixtures.rgb(40, 32, 40 + i)), ref.resolve(i + ".png"),
				ImageFiles.Format.PNG, false);
		}
		Path csv = tmp.resolve("scores.csv");
		String output = runMacro("Evaluate_Folder.ijm", "prediction=[" + pred + "] reference=[" + ref + "] csv=[" + csv
			+ "] convention=gtrain");
		Evaluation.Result expected = Evaluation.run(Pairing.byName(pred, ref), Convention.GTRAIN, (a, b, c) -> {},
			() -> false);
		String mean = String.format(Locale.ROOT, "mean PSNR %.4f dB, SSIM %.6f over 2 image(s)", expected.mean().psnr(),
			expected.mean().ssim());
		assertTrue(output.contains(mean), mean + " not in:\n" + output);
		List<String> lines = Files.readAllLines(csv);
		assertEquals("file,psnr,ssim,error", lines.get(0));
		assertEquals(expected.rows().get(1).psnr(), Double.parseDouble(lines.get(2).split(",")[1]), 1e-5);
	}

	@Test
	void aBadParameterStopsTheMacroWithAMessage() throws Exception {
		Path macro = ImageJApp.macro("derain-bad-model.ijm", ""
			+ "newImage(\"rainy\", \"RGB ramp\", 40, 32, 1);\n"
			+ "run(\"Derain Image\", \"model=no-such-model tile=512 device=cpu\");\n"
			+ "print(\"after the error\");\n");
		ImageJApp.Run run = ImageJApp.run(List.of("-batch", macro.toString()),
			ImageJApp.artifacts().resolve("derain-bad-model.log"), Duration.ofSeconds(60), () -> false);
		assertTrue(run.output().contains("Derain Image: error: not found: no-such-model (no such model: not 'default'"),
			run.output());
		assertFalse(run.output().contains("after the error"), run.output());
	}

	@Test
	void quittingImageJMidFolderKeepsFinishedOutputsAndLeavesNoPartialFile() throws Exception {
		Path in = CommandFixtures.smallThenLargePhotos(Files.createDirectories(tmp.resolve("quit in")));
		Path out = tmp.resolve("quit out");
		Path log = ImageJApp.artifacts().resolve("Derain_Folder-quit.log");
		// the shipped model on 2048x1536 in tiles of 128: long enough to be stopped (SIGTERM) in the middle
		ImageJApp.Run run = ImageJApp.run(List.of("-batch", Path.of("macros", "Derain_Folder.ijm").toAbsolutePath()
			.toString(), "input=[" + in + "] output=[" + out + "] model=default tile=128 overlap=16 device=cpu"), log,
			Duration.ofSeconds(120), () -> Files.exists(out.resolve("a-small.png")));
		assertTrue(run.stoppedByTest(), run.output());
		String output = Files.readString(log);
		assertFalse(output.contains("A fatal error has been detected"), output);
		assertTrue(output.contains("Derain Folder: the application is quitting; stopping after the current step, tile"),
			output);
		try (Stream<Path> files = Files.list(out)) {
			assertEquals(List.of("a-small.png", "derain-folder-report.csv"),
				files.map(f -> f.getFileName().toString()).sorted().toList(),
				"the finished output and the report, no temporary or half-written file");
		}
		assertTrue(Files.readAllLines(out.resolve("derain-folder-report.csv")).stream()
			.anyMatch(l -> l.startsWith("b-large.png,cancelled,")), output);
	}
}
