package fiji.plugin.derain.command;

import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.GtrainImport;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.predict.ModelCatalog;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * <i>Plugins › Deraining › Import GT-RAIN Checkpoint</i>: converts a GT-RAIN PyTorch checkpoint
 * ({@code .pth}) into a model folder; no code from the file is ever run.
 * <p>
 * Macro keys (Fiji and ImageJ 1.x alike; {@code ij1.Import_GT_RAIN_Checkpoint} runs the same
 * {@link #importCheckpoint}):
 * <ul>
 * <li>{@code checkpoint}: the {@code .pth} file;</li>
 * <li>{@code output}: the model folder to create; empty = {@code <user models folder>/<checkpoint name>},
 * which makes the model a {@code model} choice of Derain Image and Derain Folder;</li>
 * <li>{@code activation}: {@code leaky} (GT-RAIN's own weights) | {@code mish} (the UG²⁺ variant) — a
 * checkpoint does not record it;</li>
 * <li>{@code overwrite}: replace the files of an existing model folder.</li>
 * </ul>
 * Output {@code model_folder}: the folder written.
 * <p>
 * Inputs are not persisted ({@code persist = false}): a key left out of a macro means its default, in Fiji
 * as in ImageJ 1.x, never the value of an earlier run.
 */
@Plugin(type = Command.class, menuPath = ImportCheckpointCommand.MENU_PATH, label = ImportCheckpointCommand.LABEL)
public class ImportCheckpointCommand extends FeedbackCommand {

	public static final String LABEL = "Import GT-RAIN Checkpoint";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;

	/** The parameters of a run (see the class comment for their macro keys). */
	public record Options(File checkpoint, File output, String activation, boolean overwrite) {}

	@Parameter(persist = false, required = false, label = "Checkpoint (.pth)", style = FileWidget.OPEN_STYLE)
	private File checkpoint;

	@Parameter(persist = false, label = "Model folder", style = FileWidget.DIRECTORY_STYLE, required = false,
		description = "empty: install into the user models folder under the checkpoint's name")
	private File output;

	@Parameter(persist = false, label = "Activation", choices = { "leaky", "mish" })
	private String activation = "leaky";

	@Parameter(persist = false, label = "Overwrite existing model")
	private boolean overwrite;

	@Parameter(type = ItemIO.OUTPUT, label = "Model folder")
	private File model_folder;

	@Override
	String label() {
		return LABEL;
	}

	@Override
	void execute(CommandSupport.Feedback feedback) throws Exception {
		Options o = options();
		model_folder = importCheckpoint(o.checkpoint(), o.output(), o.activation(), o.overwrite(), feedback).toFile();
	}

	/** The parameters as set by the dialog or a macro. */
	public Options options() {
		return new Options(file(checkpoint), file(output), activation, overwrite);
	}

	/** The folder a checkpoint is imported into when {@code output} is empty. */
	public static Path defaultOutput(Path checkpoint) {
		return ModelCatalog.userModels().resolve(FileNames.baseName(checkpoint));
	}

	/** Imports {@code checkpoint} and returns the model folder written. */
	public static Path importCheckpoint(File checkpoint, File output, String activation, boolean overwrite,
		CommandSupport.Feedback feedback) throws IOException {
		if (checkpoint == null || checkpoint.getPath().isBlank())
			throw new IllegalArgumentException("checkpoint: choose a GT-RAIN .pth file");
		DerainConfig.Activation act = DerainConfig.Activation.parse(activation == null || activation.isBlank()
			? "leaky" : activation);
		Path out = output == null || output.getPath().isBlank() ? defaultOutput(checkpoint.toPath()) : output.toPath();
		feedback.status(LABEL + ": reading " + checkpoint.getName());
		ModelDescriptor d = GtrainImport.importTo(checkpoint.toPath(), act, out, overwrite);
		DerainConfig c = d.config();
		String installed = out.toAbsolutePath().normalize().getParent() != null && out.toAbsolutePath().normalize()
			.getParent().equals(ModelCatalog.userModels().toAbsolutePath().normalize())
				? "; choose it as model=" + out.getFileName() : "; choose it as model=folder model_folder=[" + out + "]";
		feedback.log(String.format("%s: %s -> %s (ngf %d, %d blocks, %s, %s norm)%s", LABEL, checkpoint, out, c.ngf(),
			c.nBlocks(), c.activation().id(), c.norm().id(), installed));
		feedback.status(LABEL + ": imported " + out.getFileName());
		return out;
	}
}
