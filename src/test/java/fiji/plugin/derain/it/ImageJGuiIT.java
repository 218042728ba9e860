package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Opens ImageJ 1.54p with its window, picks <i>About Fiji Derain</i> from the menu (by label, as a click would)
 * and checks that its own dialog opened — title and fields, so that an error message ("Unrecognized command")
 * cannot pass — and that it was painted (screenshots in {@code target/test-artifacts/about-dialog*.png}).
 */
class ImageJGuiIT {

	@Test
	void aboutDialogAppearsOnScreen() throws Exception {
		ImageJApp.assumeXvfb();
		ImageJApp.ShownDialog shown = ImageJApp.showDialog("", "About Fiji Derain", "about-dialog");
		assertEquals("title=About Fiji Derain\nDevice=auto\n", shown.description());

		BufferedImage shot = ImageIO.read(shown.after().toFile());
		BufferedImage empty = ImageIO.read(shown.before().toFile());
		assertEquals(1024, shot.getWidth());
		assertTrue(distinctColours(shot) > 20, "screenshot looks blank: " + shown.after());
		// The dialog (about 380 x 140 pixels) is what changed between the two screenshots.
		int changed = changedPixels(empty, shot);
		assertTrue(changed > 20_000, changed + " pixels changed; see " + shown.before() + " and " + shown.after());
	}

	private static int distinctColours(BufferedImage image) {
		Set<Integer> colours = new HashSet<>();
		for (int y = 0; y < image.getHeight(); y += 2)
			for (int x = 0; x < image.getWidth(); x += 2)
				colours.add(image.getRGB(x, y));
		return colours.size();
	}

	static int changedPixels(BufferedImage a, BufferedImage b) {
		int n = 0;
		for (int y = 0; y < a.getHeight(); y++)
			for (int x = 0; x < a.getWidth(); x++)
				if (a.getRGB(x, y) != b.getRGB(x, y)) n++;
		return n;
	}
}
