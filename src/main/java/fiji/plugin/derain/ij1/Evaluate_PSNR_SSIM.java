package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.EvaluateCommand;

import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/** ImageJ 1.x entry of {@link EvaluateCommand}: the same keys and the same {@link EvaluateCommand#evaluate}. */
public class Evaluate_PSNR_SSIM implements PlugIn {

	@Override
	public void run(String arg) {
		GenericDialog gd = new GenericDialog(EvaluateCommand.LABEL);
		gd.addMessage("Prediction and reference: two image files, two folders,\n"
			+ "or the titles of two open images.");
		gd.addFileField("Prediction", "", 30);
		gd.addFileField("Reference", "", 30);
		gd.addChoice("Mode", EvaluateCommand.MODES, "auto");
		gd.addChoice("Convention", new String[] { "standard", "gtrain" }, "standard");
		gd.addFileField("Csv (optional)", "", 30);
		gd.addCheckbox("Overwrite CSV", false);
		gd.showDialog();
		if (gd.wasCanceled()) return;
		CommandSupport.Feedback feedback = CommandSupport.imageJ1();
		try {
			EvaluateCommand.evaluate(new EvaluateCommand.Options(gd.getNextString(), gd.getNextString(),
				gd.getNextChoice(), gd.getNextChoice(), DerainDialogs.file(gd.getNextString()), gd.getNextBoolean()),
				feedback);
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(EvaluateCommand.LABEL, e);
		}
	}
}
