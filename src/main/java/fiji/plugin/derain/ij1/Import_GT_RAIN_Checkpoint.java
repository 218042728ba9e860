package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.ImportCheckpointCommand;
import fiji.plugin.derain.predict.ModelCatalog;

import java.io.IOException;

/**
 * ImageJ 1.x entry of {@link ImportCheckpointCommand}: the same keys and the same
 * {@link ImportCheckpointCommand#importCheckpoint}.
 */
public class Import_GT_RAIN_Checkpoint extends DerainPlugIn<ImportCheckpointCommand.Options> {

	@Override
	String label() {
		return ImportCheckpointCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
		gd.addFileField("Checkpoint (.pth)", "", 30);
		gd.addDirectoryField("Output model folder", "", 30);
		gd.addMessage("Empty: install into " + ModelCatalog.userModels() + " under the checkpoint's name.");
		gd.addChoice("Activation", new String[] { "leaky", "mish" }, "leaky");
		gd.addCheckbox("Overwrite existing model", false);
	}

	@Override
	ImportCheckpointCommand.Options read(DialogFields gd) {
		return new ImportCheckpointCommand.Options(DerainDialogs.file(gd.getNextString()),
			DerainDialogs.file(gd.getNextString()), gd.getNextChoice(), gd.getNextBoolean());
	}

	@Override
	void run(ImportCheckpointCommand.Options o, CommandSupport.Feedback feedback) throws IOException {
		ImportCheckpointCommand.importCheckpoint(o.checkpoint(), o.output(), o.activation(), o.overwrite(), feedback);
	}
}
