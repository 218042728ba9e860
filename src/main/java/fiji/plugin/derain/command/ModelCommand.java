package fiji.plugin.derain.command;

import java.io.File;

import org.scijava.plugin.Parameter;
import org.scijava.widget.FileWidget;

/**
 * The model and tiling parameters of the commands that derain ({@code model}, {@code model_folder}, {@code tile},
 * {@code overlap}, {@code device}: the same macro keys as the ImageJ 1.x dialogs, see {@link ModelOptions}).
 */
abstract class ModelCommand extends FeedbackCommand {

	@Parameter(persist = false, label = "Model", description = "default, the name of an installed model, a model folder, "
		+ "or folder (then Model folder is used)")
	private String model = "default";

	// Underscored names: the field name is the macro key, shared with the ImageJ 1.x dialog.
	@Parameter(persist = false, label = "Model folder", style = FileWidget.DIRECTORY_STYLE, required = false,
		description = "a folder holding model.json; used when model is 'folder'")
	private File model_folder;

	@Parameter(persist = false, label = "Tile size (px)", min = "0",
		description = "0 = whole image at once; else at least 64. Bounds memory: the result is the same at any size")
	private int tile = ModelOptions.DEFAULT_TILE;

	@Parameter(persist = false, label = "Tile overlap (px)", min = "0",
		description = "context per tile for instance-norm models; GT-RAIN (batch-norm) models run in exact bands")
	private int overlap = ModelOptions.DEFAULT_OVERLAP;

	@Parameter(persist = false, label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	/** The parameters above as the engine takes them (as set by the dialog or a macro). */
	public ModelOptions modelOptions() {
		return new ModelOptions(model, file(model_folder), tile, overlap, device);
	}
}
