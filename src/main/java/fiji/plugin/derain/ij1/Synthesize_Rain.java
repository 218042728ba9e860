package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.RainOptions;
import fiji.plugin.derain.command.SynthesizeRainCommand;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/**
 * ImageJ 1.x entry of {@link SynthesizeRainCommand}: the same keys and the same static methods; the rainy image
 * (and the layer) are shown, so in a batch-mode macro the rainy image becomes the current image.
 */
public class Synthesize_Rain implements PlugIn {
	private static final String[] VALUES = { "Density", "Length", "Angle", "Width", "Brightness", "Motion_blur",
		"Defocus", "Transmission", "Atmospheric_light" };

	@Override
	public void run(String arg) {
		ImagePlus imp = WindowManager.getCurrentImage();
		GenericDialog gd = new GenericDialog(SynthesizeRainCommand.LABEL);
		gd.addChoice("Source", SynthesizeRainCommand.SOURCES, "image");
		gd.addDirectoryField("Input (folder of clean photos)", "", 30);
		gd.addDirectoryField("Output folder", "", 30);
		gd.addChoice("Preset", RainOptions.PRESETS, RainOptions.DEFAULT_PRESET);
		gd.addMessage("Empty fields take the preset's value:");
		for (String label : VALUES)
			gd.addStringField(label, "", 8);
		gd.addStringField("Seed", "0", 8);
		gd.addCheckbox("Absolute_size (sizes in pixels of each image, not scaled from 1024 px)", false);
		gd.addCheckbox("Layer (also show the rain layer; image)", false);
		gd.addNumericField("Max_size", 0, 0, 6, "px (folder; 0 = keep the size)");
		gd.addCheckbox("Overwrite existing outputs (folder; else skip them: resume)", false);
		gd.showDialog();
		if (gd.wasCanceled()) return;
		CommandSupport.Feedback feedback = CommandSupport.imageJ1();
		try {
			boolean folder = SynthesizeRainCommand.isFolder(gd.getNextChoice());
			String input = gd.getNextString(), output = gd.getNextString(), preset = gd.getNextChoice();
			String[] v = new String[VALUES.length];
			for (int i = 0; i < v.length; i++)
				v[i] = gd.getNextString();
			RainOptions rain = new RainOptions(preset, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
				seed(gd.getNextString()), gd.getNextBoolean());
			boolean layer = gd.getNextBoolean();
			int maxSize = DerainDialogs.integer(gd.getNextNumber(), "max_size");
			boolean overwrite = gd.getNextBoolean();
			if (folder) SynthesizeRainCommand.synthesizeFolder(new SynthesizeRainCommand.Folders(DerainDialogs.file(input),
				DerainDialogs.file(output), maxSize, overwrite), rain, feedback);
			else {
				SynthesizeRainCommand.Rainy r = SynthesizeRainCommand.synthesize(imp, rain, layer, feedback);
				if (r.layer() != null) r.layer().show();
				r.rainy().show();
			}
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(SynthesizeRainCommand.LABEL, e);
		}
	}

	private static long seed(String text) {
		try {
			return Long.parseLong(text.trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("seed: expected a whole number, got '" + text.trim() + "'");
		}
	}
}
