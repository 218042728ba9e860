package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.RainOptions;
import fiji.plugin.derain.command.SynthesizeRainCommand;

import ij.WindowManager;

import java.io.IOException;

/**
 * ImageJ 1.x entry of {@link SynthesizeRainCommand}: the same keys and the same static methods; the rainy image
 * (and the layer) are shown, so in a batch-mode macro the rainy image becomes the current image.
 */
public class Synthesize_Rain extends DerainPlugIn<SynthesizeRainCommand.Request> {
	private static final String[] VALUES = { "Density", "Length", "Angle", "Width", "Brightness", "Motion_blur",
		"Defocus", "Transmission", "Atmospheric_light" };

	@Override
	String label() {
		return SynthesizeRainCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
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
	}

	@Override
	SynthesizeRainCommand.Request read(DialogFields gd) {
		String source = gd.getNextChoice(), input = gd.getNextString(), output = gd.getNextString();
		String preset = gd.getNextChoice();
		String[] v = new String[VALUES.length];
		for (int i = 0; i < v.length; i++)
			v[i] = gd.getNextString();
		RainOptions rain = new RainOptions(preset, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
			seed(gd.getNextString()), gd.getNextBoolean());
		boolean layer = gd.getNextBoolean();
		int maxSize = DerainDialogs.integer(gd.getNextNumber(), "max_size");
		return new SynthesizeRainCommand.Request(source, rain, layer, new SynthesizeRainCommand.Folders(
			DerainDialogs.file(input), DerainDialogs.file(output), maxSize, gd.getNextBoolean()));
	}

	@Override
	void run(SynthesizeRainCommand.Request r, CommandSupport.Feedback feedback) throws IOException {
		if (SynthesizeRainCommand.isFolder(r.source())) {
			SynthesizeRainCommand.synthesizeFolder(r.folders(), r.rain(), feedback);
			return;
		}
		SynthesizeRainCommand.Rainy rainy = SynthesizeRainCommand.synthesize(WindowManager.getCurrentImage(), r.rain(),
			r.layer(), feedback);
		if (rainy.layer() != null) rainy.layer().show();
		rainy.rainy().show();
	}

	private static long seed(String text) {
		try {
			return Long.parseLong(text.trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("seed: expected a whole number, got '" + text.trim() + "'");
		}
	}
}
