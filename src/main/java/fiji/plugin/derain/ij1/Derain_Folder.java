package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.DerainFolderCommand;

import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/** ImageJ 1.x entry of {@link DerainFolderCommand}: the same keys and the same {@link DerainFolderCommand#derain}. */
public class Derain_Folder implements PlugIn {

	@Override
	public void run(String arg) {
		GenericDialog gd = new GenericDialog(DerainFolderCommand.LABEL);
		gd.addDirectoryField("Input", "", 30);
		gd.addDirectoryField("Output", "", 30);
		gd.addStringField("Pattern", "", 12);
		gd.addCheckbox("Recursive (include sub-folders)", false);
		gd.addChoice("Format", DerainFolderCommand.FORMATS, "auto");
		gd.addCheckbox("Overwrite existing outputs (else skip them: resume)", false);
		gd.addCheckbox("Allow_output_in_input folder", false);
		DerainDialogs.addModelFields(gd);
		gd.showDialog();
		if (gd.wasCanceled()) return;
		CommandSupport.Feedback feedback = CommandSupport.imageJ1();
		try {
			DerainFolderCommand.Folders folders = new DerainFolderCommand.Folders(DerainDialogs.file(gd.getNextString()),
				DerainDialogs.file(gd.getNextString()), gd.getNextString(), gd.getNextBoolean(), gd.getNextChoice(),
				gd.getNextBoolean(), gd.getNextBoolean());
			DerainFolderCommand.derain(folders, DerainDialogs.nextModelOptions(gd), feedback);
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(DerainFolderCommand.LABEL, e);
		}
	}
}
