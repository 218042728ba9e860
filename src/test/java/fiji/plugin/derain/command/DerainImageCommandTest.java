package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/** Derain Image run headless through CommandService, as scripts and Fiji run it. */
class DerainImageCommandTest {
	@TempDir
	static Path tmp;
	static Path model;
	Context context;

	@BeforeAll
	static void importModel() throws Exception {
		model = CommandFixtures.importModel(tmp.resolve("model"));
	}

	@BeforeEach
	void createContext() {
		context = new Context(CommandService.class, LogService.class);
	}

	@AfterEach
	void disposeContext() {
		context.dispose();
	}

	private Map<String, Object> derain(ImagePlus imp, Object... more) throws Throwable {
		Object[] inputs = new Object[10 + more.length];
		Object[] base = { "imp", imp, "model", "folder", "model_folder", model.toFile(), "device", "cpu", "overlap", 16 };
		System.arraycopy(base, 0, inputs, 0, base.length);
		System.arraycopy(more, 0, inputs, base.length, more.length);
		return CommandFixtures.run(context, DerainImageCommand.class, inputs);
	}

	@Test
	void stackIsDerainedFrameByFrameLikeTheEngine() throws Throwable {
		ImagePlus stack = CommandFixtures.rgbStack("rainy", 40, 32, 3, 7);
		ImagePlus out = (ImagePlus) derain(stack, "tile", 64).get("derained");
		assertEquals("rainy-derained", out.getTitle());
		assertEquals(3, out.getStackSize());
		assertEquals(0, CommandFixtures.maxRgbDifference(out, CommandFixtures.engine(model, stack, 64, 16)));
		// The network changes the image, so equal pixels are not a copy of the input.
		assertTrue(CommandFixtures.maxRgbDifference(out, stack) > 10);
		// The input stays untouched.
		assertEquals(0, CommandFixtures.maxRgbDifference(stack, CommandFixtures.rgbStack("x", 40, 32, 3, 7)));
	}

	@Test
	void wholeImageModeAndModelGivenAsAPath() throws Throwable {
		ImagePlus imp = new ImagePlus("one", CommandFixtures.rgb(40, 32, 3));
		ImagePlus out = (ImagePlus) CommandFixtures.run(context, DerainImageCommand.class, "imp", imp, "model",
			model.toString(), "tile", 0, "overlap", 0, "device", "cpu").get("derained");
		assertEquals(0, CommandFixtures.maxRgbDifference(out, CommandFixtures.engine(model, imp, 0, 0)));
	}

	@Test
	void badParametersAreNamed() {
		ImagePlus imp = new ImagePlus("one", CommandFixtures.rgb(40, 32, 3));
		assertMessage("Derain Image: tile must be 0 (whole image) or at least 64 pixels, got 10",
			() -> derain(imp, "tile", 10));
		assertMessage("Derain Image: unknown device 'tpu': use auto | cpu | gpu",
			() -> CommandFixtures.run(context, DerainImageCommand.class, "imp", imp, "model", "folder", "model_folder",
				model.toFile(), "device", "tpu"));
		assertMessage("Derain Image: model=folder needs model_folder: choose a folder holding model.json (e.g. one made"
			+ " by Import GT-RAIN Checkpoint)", () -> CommandFixtures.run(context, DerainImageCommand.class, "imp", imp,
				"model", "folder", "device", "cpu"));
		Throwable noModel = assertThrows(CommandSupport.CommandException.class,
			() -> CommandFixtures.run(context, DerainImageCommand.class, "imp", imp, "model", "no-such-model"));
		assertTrue(noModel.getMessage().startsWith("Derain Image: not found: no-such-model (no such model: not 'default'"),
			noModel.getMessage());
		// ImageJ 1.x passes the current image, which may be none.
		Throwable noImage = assertThrows(IllegalArgumentException.class, () -> DerainImageCommand.derain(null,
			new ModelOptions("folder", model.toFile(), 64, 16, "cpu"), null));
		assertEquals("no image: open the image to derain first", noImage.getMessage());
	}

	@Test
	void escapeCancels() {
		ImagePlus imp = new ImagePlus("one", CommandFixtures.rgb(40, 32, 3));
		// Esc pressed while the model loads: the first tile check stops the run.
		CommandSupport.Feedback cancelled = new CommandSupport.Feedback() {
			public void status(String message) {}

			public void progress(long done, long total) {}

			public void log(String line) {}

			public boolean cancelled() {
				return true;
			}

			public void fail(String command, Throwable error) {}
		};
		assertThrows(java.util.concurrent.CancellationException.class, () -> DerainImageCommand.derain(imp,
			new ModelOptions("folder", model.toFile(), 64, 16, "cpu"), cancelled));
	}

	static void assertMessage(String expected, org.junit.jupiter.api.function.Executable run) {
		Throwable t = assertThrows(CommandSupport.CommandException.class, run);
		assertEquals(expected, t.getMessage());
	}
}
