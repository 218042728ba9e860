package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.ImportCheckpointCommand;
import fiji.plugin.derain.predict.ModelCatalog;

import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/**
 * ImageJ 1.x entry of {@link ImportCheckpointCommand}: the same keys and the same
 * {@link ImportCheckpointCommand#importCheckpoint}.
 */
public class Import_GT_RAIN_Checkpoint implements PlugIn {

	@Override
	public void run(String arg) {
		GenericDialog gd = new GenericDialog(ImportCheckpointCommand.LABEL);
		gd.addFileField("Checkpoint (.pth)", "", 30);
		gd.addDirectoryField("Output model folder", "", 30);
		gd.addMessage("Empty: install into " + ModelCatalog.userModels() + " under the checkpoint's name.");
		gd.addChoice("Activation", new String[] { "leaky", "mish" }, "leaky");
		gd.addCheckbox("Overwrite existing model", false);
		gd.showDialog();
		if (gd.wasCanceled()) return;
		CommandSupport.Feedback feedback = CommandSupport.imageJ1();
		try {
			ImportCheckpointCommand.importCheckpoint(DerainDialogs.file(gd.getNextString()),
				DerainDialogs.file(gd.getNextString()), gd.getNextChoice(), gd.getNextBoolean(), feedback);
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(ImportCheckpointCommand.LABEL, e);
		}
	}
}
