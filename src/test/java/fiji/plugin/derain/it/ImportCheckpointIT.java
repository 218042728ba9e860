package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.GtrainImport;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.testutil.Fixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * <i>Import GT-RAIN Checkpoint</i> from a macro in real ImageJ 1.54p ({@code -batch}): the ImageJ 1.x entry of
 * plugins.config imports a small GT-RAIN checkpoint into the model folder the engine writes, replaces it with
 * {@code overwrite=true} (Fiji's recorder's form) and refuses to with {@code overwrite=false}, in one line that
 * stops the macro.
 */
class ImportCheckpointIT {
	@TempDir
	Path tmp;

	@Test
	void importsReplacesAndRefusesAsAsked() throws Exception {
		ImageJApp.assumeXvfb();
		Path checkpoint = Fixtures.path("import/gtrain_small_official.pth"), model = tmp.resolve("my model");
		String call = "run(\"Import GT-RAIN Checkpoint\", \"checkpoint=[" + checkpoint + "] output=[" + model + "] ";
		Path macro = ImageJApp.macro("import-checkpoint.ijm", ""
			+ call + "activation=leaky\");\n"
			+ "print(\"first import done\");\n"
			+ call + "activation=mish overwrite=true\");\n"
			+ "print(\"second import done\");\n"
			+ call + "activation=leaky overwrite=false\");\n"
			+ "print(\"after the refusal\");\n");
		ImageJApp.Run run = ImageJApp.run(List.of("-batch", macro.toString()),
			ImageJApp.artifacts().resolve("import-checkpoint.log"), Duration.ofSeconds(90), () -> false);
		String out = run.output();
		assertFalse(out.contains("Unrecognized command"), out);
		assertTrue(out.contains("Import GT-RAIN Checkpoint: " + checkpoint + " -> " + model + " (ngf "), out);
		assertTrue(out.contains("first import done\n") && out.contains("second import done\n"), out);
		assertTrue(out.contains("Import GT-RAIN Checkpoint: error: " + model.resolve(ModelFolder.DESCRIPTOR)
			+ " already exists; pass --overwrite (or tick 'overwrite') to replace it"), out);
		assertFalse(out.contains("after the refusal"), out);

		// The folder holds what the engine imports here with the second call's activation: the refusal changed nothing.
		Path expected = tmp.resolve("expected");
		ModelDescriptor engine = GtrainImport.importTo(checkpoint, DerainConfig.Activation.MISH, expected, false);
		ModelDescriptor imported = ModelFolder.readDescriptor(model);
		assertEquals(engine.config(), imported.config());
		assertEquals(DerainConfig.Activation.MISH, imported.config().activation());
		assertArrayEquals(Files.readAllBytes(expected.resolve(engine.weights())),
			Files.readAllBytes(model.resolve(imported.weights())));
	}
}
