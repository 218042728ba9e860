package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.DerainFolderCommand;
import fiji.plugin.derain.command.ModelOptions;

import java.io.IOException;

/** ImageJ 1.x entry of {@link DerainFolderCommand}: the same keys and the same {@link DerainFolderCommand#derain}. */
public class Derain_Folder extends DerainPlugIn<Derain_Folder.Parameters> {

	/** What {@link DerainFolderCommand#derain} takes. */
	record Parameters(DerainFolderCommand.Folders folders, ModelOptions model) {}

	@Override
	String label() {
		return DerainFolderCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
		gd.addDirectoryField("Input", "", 30);
		gd.addDirectoryField("Output", "", 30);
		gd.addStringField("Pattern", "", 12);
		gd.addCheckbox("Recursive (include sub-folders)", false);
		gd.addChoice("Format", DerainFolderCommand.FORMATS, "auto");
		gd.addCheckbox("Overwrite existing outputs (else skip them: resume)", false);
		gd.addCheckbox("Allow_output_in_input folder", false);
		DerainDialogs.addModelFields(gd);
	}

	@Override
	Parameters read(DialogFields gd) {
		DerainFolderCommand.Folders folders = new DerainFolderCommand.Folders(DerainDialogs.file(gd.getNextString()),
			DerainDialogs.file(gd.getNextString()), gd.getNextString(), gd.getNextBoolean(), gd.getNextChoice(),
			gd.getNextBoolean(), gd.getNextBoolean());
		return new Parameters(folders, DerainDialogs.nextModelOptions(gd));
	}

	@Override
	void run(Parameters p, CommandSupport.Feedback feedback) throws IOException {
		DerainFolderCommand.derain(p.folders(), p.model(), feedback);
	}
}
