package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.synth.RainParams;
import fiji.plugin.derain.synth.RainResult;
import fiji.plugin.derain.synth.SynthesizeBatch;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/** Synthesize Rain through CommandService: the synthesizer's exact pixels, seeds, folders, and named errors. */
class SynthesizeRainCommandTest {
	@TempDir
	Path tmp;
	Context context;

	@BeforeEach
	void createContext() {
		context = new Context(CommandService.class, LogService.class);
	}

	@AfterEach
	void disposeContext() {
		context.dispose();
	}

	private Map<String, Object> run(Object... inputs) throws Throwable {
		return CommandFixtures.run(context, SynthesizeRainCommand.class, inputs);
	}

	@Test
	void rainOnAnImageIsTheSynthesizersForTheSeedAndOnlyTheSeed() throws Throwable {
		ImagePlus clean = new ImagePlus("street.png", CommandFixtures.rgb(96, 64, 3));
		int[] before = ((int[]) clean.getProcessor().getPixels()).clone();
		Map<String, Object> out = run("imp", clean, "preset", "heavy", "angle", "-20", "motion_blur", "", "seed", 7L,
			"layer", true);
		ImagePlus rainy = (ImagePlus) out.get("rainy");
		assertEquals("street-rainy", rainy.getTitle());
		assertEquals(ImagePlus.COLOR_RGB, rainy.getType());

		// The engine's rendering with the same values (empty motion_blur = the preset's), scaled to 96 px.
		RainParams params = RainParams.Preset.HEAVY.params().toBuilder().optAngle(-20).optSeed(7).build();
		RainResult expected = new SynthesizeBatch(null, params, true, 0, false).synthesize(clean, params);
		int[] px = (int[]) rainy.getProcessor().getPixels();
		int wh = 96 * 64;
		for (int i = 0; i < wh; i++)
			for (int c = 0; c < 3; c++)
				assertEquals(Math.round(Math.min(1, Math.max(0, expected.rainy()[c * wh + i])) * 255),
					(px[i] >> (16 - 8 * c)) & 0xff, "pixel " + i + " channel " + c);
		assertArrayEquals(expected.layer(), (float[]) ((ImagePlus) out.get("rain_layer")).getProcessor().getPixels());
		assertTrue(CommandFixtures.maxRgbDifference(rainy, clean) > 50, "there is visible rain");
		assertArrayEquals(before, (int[]) clean.getProcessor().getPixels(), "the input is left unchanged");

		// Same seed, same rain; another seed, other rain; no layer unless asked for.
		Map<String, Object> again = run("imp", clean, "preset", "heavy", "angle", "-20", "seed", 7L);
		assertEquals(0, CommandFixtures.maxRgbDifference(rainy, (ImagePlus) again.get("rainy")));
		assertNull(again.get("rain_layer"));
		ImagePlus other = (ImagePlus) run("imp", clean, "preset", "heavy", "angle", "-20", "seed", 8L).get("rainy");
		int otherDiff = CommandFixtures.maxRgbDifference(rainy, other);
		assertTrue(otherDiff > 20, "another seed, other rain: " + otherDiff);
	}

	@Test
	void grayImagesStayGrayAndAbsoluteSizesAreNotScaled() throws Throwable {
		ImagePlus gray = new ImagePlus("gray", CommandFixtures.rgb(80, 60, 4).convertToByteProcessor());
		ImagePlus rainy = (ImagePlus) run("imp", gray, "preset", "light", "absolute_size", true, "seed", 2L).get("rainy");
		assertEquals(ImagePlus.GRAY8, rainy.getType());
		RainParams params = RainParams.Preset.LIGHT.params().withSeed(2);
		RainResult r = new SynthesizeBatch(null, params, false, 0, false).synthesize(gray, params);
		byte[] px = (byte[]) ((ByteProcessor) rainy.getProcessor()).getPixels();
		int wh = 80 * 60;
		for (int i = 0; i < wh; i++) {
			double mean = (r.rainy()[i] + r.rainy()[wh + i] + r.rainy()[2 * wh + i]) / 3;
			assertEquals(Math.round(Math.min(1, Math.max(0, mean)) * 255), px[i] & 0xff, 1, "pixel " + i);
		}
	}

	@Test
	void aFolderBecomesTrainingPairsAndAReport() throws Throwable {
		Path in = Files.createDirectories(tmp.resolve("photos")), out = tmp.resolve("pairs");
		ImageFiles.write(new ImagePlus("a", CommandFixtures.rgb(64, 48, 1)), in.resolve("a.png"), ImageFiles.Format.PNG,
			false);
		ImageFiles.write(new ImagePlus("b", CommandFixtures.rgb(300, 200, 2)), in.resolve("b.jpg"), ImageFiles.Format.JPEG,
			false);
		Files.writeString(in.resolve("bad.png"), "not a PNG");
		ResultsTable t = (ResultsTable) run("source", "folder", "input", in.toFile(), "output", out.toFile(), "preset",
			"storm", "max_size", 150).get("report");
		assertEquals(List.of("done", "done", "failed"), DerainFolderCommandTest.column(t, "status"));
		for (String kind : new String[] { SynthesizeBatch.RAINY, SynthesizeBatch.CLEAN, SynthesizeBatch.LAYERS })
			for (String name : new String[] { "a.png", "b.png" })
				assertTrue(Files.isRegularFile(out.resolve(kind).resolve(name)), kind + "/" + name);
		assertEquals(150, ImageFiles.read(out.resolve("rainy/b.png")).getWidth(), "max_size downscales");
		assertEquals(ImageFiles.read(out.resolve("clean/a.png")).getProcessor().getPixelCount(), 64 * 48);
		assertTrue(CommandFixtures.maxRgbDifference(ImageFiles.read(out.resolve("rainy/a.png")),
			ImageFiles.read(out.resolve("clean/a.png"))) > 50);
		List<String> csv = Files.readAllLines(out.resolve(SynthesizeRainCommand.REPORT_CSV));
		assertEquals("file,status,seconds,message", csv.get(0));
		assertTrue(csv.get(3).startsWith("bad.png,failed,"), csv.toString());

		ResultsTable again = (ResultsTable) run("source", "folder", "input", in.toFile(), "output", out.toFile())
			.get("report");
		assertEquals(List.of("skipped", "skipped", "failed"), DerainFolderCommandTest.column(again, "status"),
			"existing pairs are kept (resume)");
	}

	@Test
	void badParametersAreNamed() {
		ImagePlus imp = new ImagePlus("x", new ColorProcessor(32, 32));
		DerainImageCommandTest.assertMessage("Synthesize Rain: motion_blur: rain parameter motionBlur must be in "
			+ "[0, 1000] (pixels), got -1", () -> run("imp", imp, "motion_blur", "-1"));
		DerainImageCommandTest.assertMessage("Synthesize Rain: density: expected a number or nothing (= the preset's "
			+ "value), got 'lots'", () -> run("imp", imp, "density", "lots"));
		DerainImageCommandTest.assertMessage("Synthesize Rain: preset: unknown rain preset 'drizzle': use light | medium"
			+ " | heavy | storm", () -> run("imp", imp, "preset", "drizzle"));
		DerainImageCommandTest.assertMessage("Synthesize Rain: source: unknown source 'web'; use image | folder",
			() -> run("imp", imp, "source", "web"));
		DerainImageCommandTest.assertMessage("Synthesize Rain: output: choose a folder for the rainy/clean/layers pairs",
			() -> run("source", "folder", "input", tmp.toFile()));
		assertFalse(Files.exists(tmp.resolve(SynthesizeRainCommand.REPORT_CSV)));
		ImagePlus stack = CommandFixtures.rgbStack("movie", 16, 16, 2, 1);
		DerainImageCommandTest.assertMessage("Synthesize Rain: image 'movie' is a stack of 2 frames; synthesize rain on"
			+ " single images (or use source=folder)", () -> run("imp", stack));
	}
}
