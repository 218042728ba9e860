package fiji.plugin.derain.command;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.engine.Engines;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.predict.Derainer;
import fiji.plugin.derain.predict.ModelCatalog;
import fiji.plugin.derain.tensor.TiledInference;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model parameters shared by <i>Derain Image</i> and <i>Derain Folder</i>, with their macro keys:
 * <ul>
 * <li>{@code model}: {@code default} (the shipped model), the name of a model installed in the user models
 * folder ({@link ModelCatalog#userModels()}), {@code folder} (use {@code model_folder}), or a model folder's
 * path;</li>
 * <li>{@code model_folder}: a folder holding {@code model.json}; read only when {@code model=folder};</li>
 * <li>{@code tile}: tile side in pixels, 0 = the whole image in one pass, else at least 64 (default 512): a memory
 * bound and working size, the result is the same at any tile size;</li>
 * <li>{@code overlap}: context pixels per tile, 0 or more (default 96), for instance-norm models only; GT-RAIN's
 * batch-norm models run in exact bands (see {@link fiji.plugin.derain.tensor.TiledInference});</li>
 * <li>{@code device}: {@code auto} | {@code cpu} | {@code gpu}.</li>
 * </ul>
 */
public record ModelOptions(String model, File modelFolder, int tile, int overlap, String device) {

	/** The {@code model} value that means "the folder in {@code model_folder}". */
	public static final String FROM_FOLDER = "folder";
	public static final int DEFAULT_TILE = TiledInference.DEFAULT_TILE_SIZE;
	public static final int DEFAULT_OVERLAP = TiledInference.DEFAULT_OVERLAP;

	/** The {@code model} choices for a dialog: default, the installed models, then {@code folder}. */
	public static List<String> choices() {
		List<String> names = new ArrayList<>(ModelCatalog.names());
		names.add(FROM_FOLDER);
		return names;
	}

	/**
	 * The model folder these options name.
	 *
	 * @throws NoSuchFileException saying which parameter to fix and where the plugin looked
	 */
	public Path modelPath() throws IOException {
		String m = model == null || model.isBlank() ? ModelCatalog.DEFAULT : model.trim();
		if (!m.equals(FROM_FOLDER)) return ModelCatalog.resolve(m);
		if (modelFolder == null || modelFolder.getPath().isBlank())
			throw new IllegalArgumentException("model=folder needs model_folder: choose a folder holding "
				+ ModelFolder.DESCRIPTOR + " (e.g. one made by Import GT-RAIN Checkpoint)");
		Path folder = modelFolder.toPath();
		if (!Files.isRegularFile(folder.resolve(ModelFolder.DESCRIPTOR)))
			throw new NoSuchFileException(folder.toString(), null, "model_folder holds no " + ModelFolder.DESCRIPTOR
				+ ", so it is not a model folder");
		return folder;
	}

	/** Tiling settings; the message names {@code tile} or {@code overlap} when one is out of range. */
	public Derainer.Settings settings() {
		return new Derainer.Settings(tile, overlap, null);
	}

	public DeviceChoice deviceChoice() {
		return DeviceChoice.parse(device == null || device.isBlank() ? DeviceChoice.AUTO.id() : device);
	}

	/** Checks every value without loading anything, so that a bad parameter fails before a long model load. */
	public void validate() throws IOException {
		settings();
		deviceChoice();
		modelPath();
	}

	/** Loads the model on the chosen device and logs which model runs where. */
	public Derainer open(String command, CommandSupport.Feedback feedback) throws IOException {
		Path folder = modelPath();
		feedback.status(command + ": loading model " + folder.getFileName());
		Derainer derainer = Derainer.open(folder, deviceChoice(), feedback::log);
		feedback.log(command + ": model " + derainer.descriptor().name() + " (" + folder + ") on "
			+ Engines.describe(derainer.device()));
		return derainer;
	}
}
