package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.predict.ModelCatalog;
import fiji.plugin.derain.testutil.Fixtures;

import ij.ImagePlus;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/** Import GT-RAIN Checkpoint through CommandService; an imported model is then a model choice by name. */
class ImportCheckpointCommandTest {
	@TempDir
	Path tmp;
	Context context;
	String previousModels;

	@BeforeEach
	void setUp() {
		context = new Context(CommandService.class, LogService.class);
		previousModels = System.setProperty("derain.models", tmp.resolve("models").toString());
	}

	@AfterEach
	void tearDown() {
		context.dispose();
		if (previousModels == null) System.clearProperty("derain.models");
		else System.setProperty("derain.models", previousModels);
	}

	@Test
	void installsIntoTheUserModelsFolderAndDerainsByName() throws Throwable {
		File checkpoint = Fixtures.path("import/gtrain_small_official.pth").toFile();
		File folder = (File) CommandFixtures.run(context, ImportCheckpointCommand.class, "checkpoint", checkpoint,
			"activation", "leaky").get("model_folder");
		assertEquals(tmp.resolve("models/gtrain_small_official").toFile(), folder);
		assertTrue(Files.isRegularFile(folder.toPath().resolve(ModelFolder.DESCRIPTOR)));
		assertTrue(ModelCatalog.names().contains("gtrain_small_official"), ModelCatalog.names().toString());

		ImagePlus imp = new ImagePlus("x", CommandFixtures.rgb(40, 32, 5));
		ImagePlus byName = (ImagePlus) CommandFixtures.run(context, DerainImageCommand.class, "imp", imp, "model",
			"gtrain_small_official", "tile", 0, "overlap", 0, "device", "cpu").get("derained");
		assertEquals(0, CommandFixtures.maxRgbDifference(byName, CommandFixtures.engine(folder.toPath(), imp, 0, 0)));

		DerainImageCommandTest.assertMessage("Import GT-RAIN Checkpoint: " + folder.toPath().resolve("model.json")
			+ " already exists; pass --overwrite (or tick 'overwrite') to replace it",
			() -> CommandFixtures.run(context, ImportCheckpointCommand.class, "checkpoint", checkpoint));
		CommandFixtures.run(context, ImportCheckpointCommand.class, "checkpoint", checkpoint, "overwrite", true);
	}

	@Test
	void badParametersAreNamed() {
		File checkpoint = Fixtures.path("import/gtrain_small_official.pth").toFile();
		Throwable e = org.junit.jupiter.api.Assertions.assertThrows(CommandSupport.CommandException.class,
			() -> CommandFixtures.run(context, ImportCheckpointCommand.class, "checkpoint", checkpoint, "activation",
				"relu", "output", tmp.resolve("m").toFile()));
		assertTrue(e.getMessage().startsWith("Import GT-RAIN Checkpoint: unknown activation 'relu'"), e.getMessage());
		DerainImageCommandTest.assertMessage("Import GT-RAIN Checkpoint: checkpoint: choose a GT-RAIN .pth file",
			() -> CommandFixtures.run(context, ImportCheckpointCommand.class, "activation", "leaky"));
	}
}
