package fiji.plugin.derain.command;

import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.predict.Derainer;
import fiji.plugin.derain.tensor.ImageBridge;

import ij.ImagePlus;

import java.io.IOException;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

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
public class DerainImageCommand extends ModelCommand {

	public static final String LABEL = "Derain Image";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;

	@Parameter(persist = false, label = "Image")
	private ImagePlus imp;

	// A text field, not a choice list: listing the installed models needs a DynamicCommand, and
	// CommandService.run(...) returns no Future for those, which would break scripts that wait on it.

	@Parameter(type = ItemIO.OUTPUT, label = "Derained")
	private ImagePlus derained;

	@Override
	String label() {
		return LABEL;
	}

	@Override
	void execute(CommandSupport.Feedback feedback) throws Exception {
		derained = derain(imp, modelOptions(), feedback);
	}

	/**
	 * Derains {@code imp} with the model and tiling of {@code options}, reporting to {@code feedback}.
	 *
	 * @return a new image (RGB for an indexed-colour image); {@code imp} is left unchanged
	 * @throws java.util.concurrent.CancellationException if the user cancelled
	 */
	public static ImagePlus derain(ImagePlus imp, ModelOptions options, CommandSupport.Feedback feedback)
		throws IOException {
		if (imp == null) throw new IllegalArgumentException("no image: open the image to derain first");
		ImageFiles.PixelBudget.fromSystemProperty().check("image '" + imp.getTitle() + "'", imp.getWidth(),
			imp.getHeight());
		options.validate();
		try (Derainer derainer = options.open(LABEL, feedback)) {
			feedback.status(LABEL + ": " + imp.getTitle());
			long t0 = System.nanoTime();
			ImagePlus out = derainer.derain(ImageBridge.withDisplayedColours(imp), options.settings(), feedback::progress,
				feedback::cancelled);
			feedback.progress(1, 1);
			feedback.status(String.format("%s: %s done in %.1f s", LABEL, imp.getTitle(), (System.nanoTime() - t0) / 1e9));
			return out;
		}
	}
}
