package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Runs <i>About Fiji Derain</i> from a macro in real ImageJ 1.54p with the plugin in
 * {@code plugins/}: proves that plugins.config puts the command in the menu and that DJL finds the
 * PyTorch engine although the jars live in ImageJ's plugin class loader (the macro thread's context
 * loader is the application loader, which does not see them).
 */
class ImageJBatchIT {

	@Test
	void macroRunsAboutAndPyTorchLoadsOnTheCpu() throws Exception {
		ImageJApp.assumeXvfb();
		Path artifacts = ImageJApp.artifacts();
		Path macro = ImageJApp.macro("about-batch.ijm", ""
				+ "run(\"About Fiji Derain\", \"device=cpu\");\n"
				+ "run(\"About Fiji Derain\", \"device=gpu\");\n"
				+ "print(\"macro finished\");\n");
		ImageJApp.Run run = ImageJApp.run(List.of("-batch", macro.toString()), artifacts.resolve("about-batch.log"),
				Duration.ofSeconds(60), () -> false);

		String out = run.output();
		assertEquals(0, run.exitCode(), out);
		assertTrue(out.contains("macro finished"), out);
		assertFalse(out.contains("No deep learning engine"), out);
		assertFalse(out.contains("Unrecognized command"), out);
		assertTrue(out.contains("engine: PyTorch 2.7.1\nDJL default engine: PyTorch\n"), out);
		assertTrue(out.contains("device requested: cpu\ndevice: cpu"), out);
		if (out.contains("CUDA GPUs seen by DJL: 0"))
			assertTrue(out.contains("device requested: gpu\ndevice: cpu\nnote: GPU requested, but DJL found no CUDA GPU"), out);
		assertTrue(Files.size(artifacts.resolve("about-batch.log")) > 0);
	}
}
