package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.ModelOptions;
import fiji.plugin.derain.engine.DeviceChoice;

import java.io.File;

/**
 * Dialog fields shared by the ImageJ 1.x twins. Each label's first word, lower-cased, is the macro key
 * ({@code Macro.trimKey}); underscores join words of one key and show as spaces. The keys equal the field
 * names of the SciJava commands, so a recorded macro runs in Fiji and in plain ImageJ alike; checkboxes take a bare
 * {@code key} or {@code key=true|false} ({@link DialogFields#getNextBoolean}).
 */
final class DerainDialogs {
	private DerainDialogs() {}

	/** Adds {@code model, model_folder, tile, overlap, device}. */
	static void addModelFields(DialogFields gd) {
		gd.addChoice("Model", ModelOptions.choices().toArray(String[]::new), "default");
		gd.addDirectoryField("Model_folder", "", 30);
		gd.addNumericField("Tile", ModelOptions.DEFAULT_TILE, 0, 6, "px (0 = whole image, else at least 64; bounds memory)");
		gd.addNumericField("Overlap", ModelOptions.DEFAULT_OVERLAP, 0, 6, "px (instance-norm models only)");
		gd.addChoice("Device", DeviceChoice.ids(), DeviceChoice.AUTO.id());
	}

	/** Reads the fields of {@link #addModelFields} in order. */
	static ModelOptions nextModelOptions(DialogFields gd) {
		String model = gd.getNextChoice();
		File folder = file(gd.getNextString());
		int tile = integer(gd.getNextNumber(), "tile");
		int overlap = integer(gd.getNextNumber(), "overlap");
		return new ModelOptions(model, folder, tile, overlap, gd.getNextChoice());
	}

	/** A whole number from a numeric field; the message names the key. */
	static int integer(double value, String key) {
		if (Double.isNaN(value) || value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE)
			throw new IllegalArgumentException(key + ": expected a whole number of pixels");
		return (int) value;
	}

	/** Null for an empty field. */
	static File file(String path) {
		return path == null || path.isBlank() ? null : new File(path.trim());
	}
}
