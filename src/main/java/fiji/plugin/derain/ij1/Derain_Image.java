package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.DerainImageCommand;
import fiji.plugin.derain.command.ModelOptions;

import ij.ImagePlus;
import ij.WindowManager;

import java.io.IOException;

/**
 * ImageJ 1.x entry of {@link DerainImageCommand}: the same keys and the same
 * {@link DerainImageCommand#derain}; the result is shown, so in a batch-mode macro it becomes the current
 * image.
 */
public class Derain_Image extends DerainPlugIn<ModelOptions> {

	@Override
	String label() {
		return DerainImageCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
		ImagePlus imp = WindowManager.getCurrentImage();
		gd.addMessage("Derains " + (imp == null ? "the current image" : imp.getTitle())
			+ " (every frame of a stack) into a new image. Esc cancels.");
		DerainDialogs.addModelFields(gd);
	}

	@Override
	ModelOptions read(DialogFields gd) {
		return DerainDialogs.nextModelOptions(gd);
	}

	@Override
	void run(ModelOptions options, CommandSupport.Feedback feedback) throws IOException {
		DerainImageCommand.derain(WindowManager.getCurrentImage(), options, feedback).show();
	}
}
