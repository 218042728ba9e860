package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Opens ImageJ 1.54p with its window, picks <i>About Fiji Derain</i> from the menu (by label, as a
 * click would) and screenshots the dialog. The macro waits until the screen actually changed, so the
 * second screenshot shows the dialog painted, not an empty desktop.
 */
class ImageJGuiIT {

	@Test
	void aboutDialogAppearsOnScreen() throws Exception {
		ImageJApp.assumeXvfb();
		Path artifacts = ImageJApp.artifacts();
		Path before = artifacts.resolve("about-dialog-before.png");
		Path after = artifacts.resolve("about-dialog.png");
		Path marker = artifacts.resolve("about-dialog.done");
		for (Path p : List.of(before, after, marker))
			Files.deleteIfExists(p);
		Path macro = ImageJApp.macro("about-gui.ijm", ""
				+ "setBatchMode(true); // screenshots stay off screen\n"
				+ "run(\"Capture Screen\"); saveAs(\"PNG\", " + ImageJApp.quoted(before) + ");"
				+ " getStatistics(area, base); close();\n"
				+ "doCommand(\"About Fiji Derain\"); // own thread: the modal dialog must not block this macro\n"
				+ "t0 = getTime(); m = base;\n"
				+ "while (getTime() - t0 < 20000 && m < base + 1) {\n"
				+ "  wait(100); run(\"Capture Screen\"); getStatistics(area, m); close();\n"
				+ "}\n"
				+ "wait(300); // let the dialog finish painting\n"
				+ "run(\"Capture Screen\"); saveAs(\"PNG\", " + ImageJApp.quoted(after) + "); close();\n"
				+ "File.saveString(\"mean grey \" + base + \" -> \" + m, " + ImageJApp.quoted(marker) + ");\n");
		ImageJApp.Run run = ImageJApp.run(List.of("-macro", macro.toString()), artifacts.resolve("about-gui.log"),
				Duration.ofSeconds(60), () -> Files.exists(marker));
		assertTrue(run.stoppedByTest(), "ImageJ quit before the screenshot: " + run.output());

		BufferedImage shot = ImageIO.read(after.toFile());
		BufferedImage empty = ImageIO.read(before.toFile());
		assertEquals(1024, shot.getWidth());
		assertTrue(distinctColours(shot) > 20, "screenshot looks blank: " + after);
		// The dialog (about 380 x 140 pixels) is what changed between the two screenshots.
		int changed = changedPixels(empty, shot);
		assertTrue(changed > 20_000, changed + " pixels changed; see " + before + " and " + after);
	}

	private static int distinctColours(BufferedImage image) {
		Set<Integer> colours = new HashSet<>();
		for (int y = 0; y < image.getHeight(); y += 2)
			for (int x = 0; x < image.getWidth(); x += 2)
				colours.add(image.getRGB(x, y));
		return colours.size();
	}

	private static int changedPixels(BufferedImage a, BufferedImage b) {
		int n = 0;
		for (int y = 0; y < a.getHeight(); y++)
			for (int x = 0; x < a.getWidth(); x++)
				if (a.getRGB(x, y) != b.getRGB(x, y)) n++;
		return n;
	}
}
