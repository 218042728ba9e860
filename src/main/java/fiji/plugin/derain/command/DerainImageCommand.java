package fiji.plugin.derain.command;

import fiji.plugin.derain.predict.Derainer;

import ij.ImagePlus;

import java.io.File;
import java.io.IOException;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;
import org.scijava.widget.FileWidget;

/**
 * <i>Plugins › Deraining › Derain Image</i>: derains the current image (stacks and hyperstacks frame by
 * frame) into a new image of the same type, size and calibration, titled "&lt;title&gt;-derained".
 * <p>
 * Macro keys (identical in Fiji and plain ImageJ 1.x, where {@code ij1.Derain_Image} runs the same
 * {@link #derain}): {@code model}, {@code model_folder}, {@code tile}, {@code overlap}, {@code device} (see
 * {@link ModelOptions}), e.g. {@code run("Derain Image", "model=default tile=512 overlap=96 device=auto")}.
 * The input is the current image ({@code imp}); the output {@code derained} becomes the current image. Esc
 * cancels between tiles.
 * <p>
 * Inputs are not persisted ({@code persist = false}): a key left out of a macro means its default, in Fiji
 * as in ImageJ 1.x, never the value of an earlier run.
 */
@Plugin(type = Command.class, menuPath = DerainImageCommand.MENU_PATH, label = DerainImageCommand.LABEL)
public class DerainImageCommand extends ContextCommand {

	public static final String LABEL = "Derain Image";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;

	@Parameter(persist = false, label = "Image")
	private ImagePlus imp;

	// A text field, not a choice list: listing the installed models needs a DynamicCommand, and
	// CommandService.run(...) returns no Future for those, which would break scripts that wait on it.
	@Parameter(persist = false, label = "Model", description = "default, the name of an installed model, a model folder, "
		+ "or folder (then Model folder is used)")
	private String model = "default";

	// Underscored names: the field name is the macro key, shared with the ImageJ 1.x dialog.
	@Parameter(persist = false, label = "Model folder", style = FileWidget.DIRECTORY_STYLE, required = false,
		description = "a folder holding model.json; used when model is 'folder'")
	private File model_folder;

	@Parameter(persist = false, label = "Tile size (px)", min = "0",
		description = "0 = whole image at once; else at least 64")
	private int tile = ModelOptions.DEFAULT_TILE;

	@Parameter(persist = false, label = "Tile overlap (px)", min = "0")
	private int overlap = ModelOptions.DEFAULT_OVERLAP;

	@Parameter(persist = false, label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	@Parameter(type = ItemIO.OUTPUT, label = "Derained")
	private ImagePlus derained;

	@Parameter(required = false)
	private StatusService statusService;

	@Parameter(required = false)
	private LogService logService;

	@Parameter(required = false)
	private UIService uiService;

	@Override
	public void run() {
		CommandSupport.Feedback feedback = CommandSupport.sciJava(statusService, logService, uiService,
			this::isCanceled);
		try {
			derained = derain(imp, new ModelOptions(model, model_folder, tile, overlap, device), feedback);
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(LABEL, e);
		}
	}

	/**
	 * Derains {@code imp} with the model and tiling of {@code options}, reporting to {@code feedback}.
	 *
	 * @return a new image; {@code imp} is left unchanged
	 * @throws java.util.concurrent.CancellationException if the user cancelled
	 */
	public static ImagePlus derain(ImagePlus imp, ModelOptions options, CommandSupport.Feedback feedback)
		throws IOException {
		if (imp == null) throw new IllegalArgumentException("no image: open the image to derain first");
		options.validate();
		try (Derainer derainer = options.open(LABEL, feedback)) {
			feedback.status(LABEL + ": " + imp.getTitle());
			long t0 = System.nanoTime();
			ImagePlus out = derainer.derain(imp, options.settings(), feedback::progress, feedback::cancelled);
			feedback.progress(1, 1);
			feedback.status(String.format("%s: %s done in %.1f s", LABEL, imp.getTitle(), (System.nanoTime() - t0) / 1e9));
			return out;
		}
	}
}
