package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Opens <i>Derain Image</i> from the menu of ImageJ 1.54p with an image open and screenshots its dialog to
 * {@code target/test-artifacts/derain-image-dialog.png} (for a person to look at: labels, fields, defaults).
 */
class DerainImageDialogIT {

	@Test
	void derainImageDialogAppearsOnScreen() throws Exception {
		ImageJApp.assumeXvfb();
		Path artifacts = ImageJApp.artifacts();
		Path before = artifacts.resolve("derain-image-dialog-before.png");
		Path after = artifacts.resolve("derain-image-dialog.png");
		Path marker = artifacts.resolve("derain-image-dialog.done");
		for (Path p : List.of(before, after, marker))
			Files.deleteIfExists(p);
		Path macro = ImageJApp.macro("derain-image-gui.ijm", ""
			+ "newImage(\"rainy street\", \"RGB ramp\", 40, 32, 1);\n"
			+ "wait(500);\n"
			+ "setBatchMode(true); // screenshots stay off screen\n"
			+ "run(\"Capture Screen\"); saveAs(\"PNG\", " + ImageJApp.quoted(before) + ");"
			+ " getStatistics(area, base); close();\n"
			+ "doCommand(\"Derain Image\"); // own thread: the modal dialog must not block this macro\n"
			+ "t0 = getTime(); m = base;\n"
			+ "while (getTime() - t0 < 20000 && m < base + 1) {\n"
			+ "  wait(100); run(\"Capture Screen\"); getStatistics(area, m); close();\n"
			+ "}\n"
			+ "wait(500); // let the dialog finish painting\n"
			+ "run(\"Capture Screen\"); saveAs(\"PNG\", " + ImageJApp.quoted(after) + "); close();\n"
			+ "File.saveString(\"mean grey \" + base + \" -> \" + m, " + ImageJApp.quoted(marker) + ");\n");
		ImageJApp.Run run = ImageJApp.run(List.of("-macro", macro.toString()),
			artifacts.resolve("derain-image-gui.log"), Duration.ofSeconds(60), () -> Files.exists(marker));
		assertTrue(run.stoppedByTest(), "ImageJ quit before the screenshot: " + run.output());

		BufferedImage empty = ImageIO.read(before.toFile()), shot = ImageIO.read(after.toFile());
		int changed = 0;
		for (int y = 0; y < shot.getHeight(); y++)
			for (int x = 0; x < shot.getWidth(); x++)
				if (shot.getRGB(x, y) != empty.getRGB(x, y)) changed++;
		// The dialog (model, folder, tile, overlap, device: roughly 450 x 250 pixels) is what changed.
		assertTrue(changed > 40_000, changed + " pixels changed; see " + before + " and " + after);
	}
}
