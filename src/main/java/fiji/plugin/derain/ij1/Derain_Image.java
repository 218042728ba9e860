package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.DerainImageCommand;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/**
 * ImageJ 1.x entry of {@link DerainImageCommand}: the same keys and the same
 * {@link DerainImageCommand#derain}; the result is shown, so in a batch-mode macro it becomes the current
 * image.
 */
public class Derain_Image implements PlugIn {

	@Override
	public void run(String arg) {
		ImagePlus imp = WindowManager.getCurrentImage();
		GenericDialog gd = new GenericDialog(DerainImageCommand.LABEL);
		gd.addMessage("Derains " + (imp == null ? "the current image" : imp.getTitle())
			+ " (every frame of a stack) into a new image. Esc cancels.");
		DerainDialogs.addModelFields(gd);
		gd.showDialog();
		if (gd.wasCanceled()) return;
		CommandSupport.Feedback feedback = CommandSupport.imageJ1();
		try {
			DerainImageCommand.derain(imp, DerainDialogs.nextModelOptions(gd), feedback).show();
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(DerainImageCommand.LABEL, e);
		}
	}
}
