package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.EvaluateCommand;

import java.io.IOException;

/** ImageJ 1.x entry of {@link EvaluateCommand}: the same keys and the same {@link EvaluateCommand#evaluate}. */
public class Evaluate_PSNR_SSIM extends DerainPlugIn<EvaluateCommand.Options> {

	@Override
	String label() {
		return EvaluateCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
		gd.addMessage("Prediction and reference: two image files, two folders,\n"
			+ "or the titles of two open images.");
		gd.addFileField("Prediction", "", 30);
		gd.addFileField("Reference", "", 30);
		gd.addChoice("Mode", EvaluateCommand.MODES, "auto");
		gd.addChoice("Convention", new String[] { "standard", "gtrain" }, "standard");
		gd.addFileField("Csv (optional)", "", 30);
		gd.addCheckbox("Overwrite CSV", false);
	}

	@Override
	EvaluateCommand.Options read(DialogFields gd) {
		return new EvaluateCommand.Options(gd.getNextString(), gd.getNextString(), gd.getNextChoice(), gd.getNextChoice(),
			DerainDialogs.file(gd.getNextString()), gd.getNextBoolean());
	}

	@Override
	void run(EvaluateCommand.Options options, CommandSupport.Feedback feedback) throws IOException {
		EvaluateCommand.evaluate(options, feedback);
	}
}
