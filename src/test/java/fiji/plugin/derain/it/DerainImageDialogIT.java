package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Opens <i>Derain Image</i> from the menu of ImageJ 1.54p with an image open and checks its dialog: title, each
 * field's label and default value, in order; the screenshot is kept in
 * {@code target/test-artifacts/derain-image-dialog.png} (for a person to look at).
 */
class DerainImageDialogIT {

	@Test
	void derainImageDialogAppearsOnScreen() throws Exception {
		ImageJApp.assumeXvfb();
		ImageJApp.ShownDialog shown = ImageJApp.showDialog("newImage(\"rainy street\", \"RGB ramp\", 40, 32, 1);\n"
			+ "wait(500);\n", "Derain Image", "derain-image-dialog");
		assertEquals("title=Derain Image\nModel=default\nModel folder=\nTile=512\nOverlap=96\nDevice=auto\n",
			shown.description());

		BufferedImage empty = ImageIO.read(shown.before().toFile()), shot = ImageIO.read(shown.after().toFile());
		// The dialog (model, folder, tile, overlap, device: roughly 450 x 250 pixels) is what changed.
		int changed = ImageJGuiIT.changedPixels(empty, shot);
		assertTrue(changed > 40_000, changed + " pixels changed; see " + shown.before() + " and " + shown.after());
	}
}
