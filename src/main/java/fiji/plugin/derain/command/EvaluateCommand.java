package fiji.plugin.derain.command;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.evaluate.Pairing;
import fiji.plugin.derain.metrics.Convention;
import fiji.plugin.derain.metrics.Score;

import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * <i>Plugins › Deraining › Evaluate PSNR/SSIM</i>: scores derained images against clean references.
 * <p>
 * Macro keys (Fiji and ImageJ 1.x alike; {@code ij1.Evaluate_PSNR_SSIM} runs the same {@link #evaluate}):
 * <ul>
 * <li>{@code prediction}, {@code reference}: two image files, two folders, or the titles of two open images
 * (a value that is no existing file or folder is looked up among the open images);</li>
 * <li>{@code mode}: {@code auto} (two folders whose reference holds GT-RAIN scene folders are
 * {@code gtrain_scenes}, other folders {@code folders}, else {@code images}) | {@code images} (file vs file or
 * open image vs open image) | {@code folders} (matched by base name, extension ignored) |
 * {@code gtrain_scenes} ({@code reference} is a GT-RAIN split; each {@code <scene>-Webcam-R-NNN} prediction,
 * directly in {@code prediction} or in {@code prediction/<scene>}, against its scene's {@code C-000});</li>
 * <li>{@code convention}: {@code standard} (PSNR and the SSIM of Wang et al.) | {@code gtrain} (scikit-image
 * 0.19 as GT-RAIN reported, images cropped to multiples of 4);</li>
 * <li>{@code csv}: file for the per-image rows ({@code file[,scene],psnr,ssim}); empty = none;
 * {@code overwrite} replaces an existing CSV.</li>
 * </ul>
 * Results: the table "Evaluate PSNR/SSIM" with one row per image (stacks: per frame), a {@code mean <scene>} row
 * per GT-RAIN scene and a final {@code mean} row.
 * <p>
 * Inputs are not persisted ({@code persist = false}): a key left out of a macro means its default, in Fiji
 * as in ImageJ 1.x, never the value of an earlier run.
 */
@Plugin(type = Command.class, menuPath = EvaluateCommand.MENU_PATH, label = EvaluateCommand.LABEL)
public class EvaluateCommand extends FeedbackCommand {

	public static final String LABEL = "Evaluate PSNR/SSIM";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;
	public static final String[] MODES = { "auto", "images", "folders", "gtrain_scenes" };

	/** The parameters of a run (see the class comment for their macro keys). */
	public record Options(String prediction, String reference, String mode, String convention, File csv,
		boolean overwrite) {}

	@Parameter(persist = false, required = false, label = "Prediction", style = FileWidget.FILE_AND_DIRECTORY_STYLE,
		description = "derained image file, folder, or the title of an open image")
	private File prediction;

	@Parameter(persist = false, required = false, label = "Reference", style = FileWidget.FILE_AND_DIRECTORY_STYLE,
		description = "clean image file, folder (GT-RAIN split for gtrain_scenes), or the title of an open image")
	private File reference;

	@Parameter(persist = false, label = "Pairing", choices = { "auto", "images", "folders", "gtrain_scenes" })
	private String mode = "auto";

	@Parameter(persist = false, label = "Convention", choices = { "standard", "gtrain" })
	private String convention = "standard";

	@Parameter(persist = false, label = "CSV file", style = FileWidget.SAVE_STYLE, required = false)
	private File csv;

	@Parameter(persist = false, label = "Overwrite CSV")
	private boolean overwrite;

	@Parameter(type = ItemIO.OUTPUT, label = "Evaluate PSNR/SSIM")
	private ResultsTable scores;

	@Override
	String label() {
		return LABEL;
	}

	@Override
	void execute(CommandSupport.Feedback feedback) throws Exception {
		scores = evaluate(options(), feedback);
	}

	/** The parameters as set by the dialog or a macro. */
	public Options options() {
		return new Options(path(prediction), path(reference), mode, convention, file(csv), overwrite);
	}

	private static String path(File f) {
		return f == null ? "" : f.getPath();
	}

	/** Scores, shows the table (when there is a screen), writes the CSV when asked and logs the means. */
	public static ResultsTable evaluate(Options o, CommandSupport.Feedback feedback) throws IOException {
		Convention convention = Convention.parse(o.convention() == null || o.convention().isBlank() ? "standard"
			: o.convention());
		String mode = o.mode() == null || o.mode().isBlank() ? "auto" : o.mode().trim().toLowerCase(Locale.ROOT);
		if (!List.of(MODES).contains(mode))
			throw new IllegalArgumentException("mode: unknown pairing '" + o.mode() + "'; use " + String.join(" | ", MODES));
		if (o.prediction() == null || o.prediction().isBlank())
			throw new IllegalArgumentException("prediction: choose the derained image, folder or open image");
		if (o.reference() == null || o.reference().isBlank())
			throw new IllegalArgumentException("reference: choose the clean image, folder or open image");
		Path csv = o.csv() == null || o.csv().getPath().isBlank() ? null : o.csv().toPath();
		if (csv != null && Files.exists(csv) && !o.overwrite())
			throw new IllegalArgumentException("csv: " + csv + " exists; choose another file or tick overwrite");

		Evaluation.Result result = openImages(o, mode, convention);
		if (result == null) {
			List<Pairing.Pair> pairs = pairs(Path.of(o.prediction()), Path.of(o.reference()), mode);
			result = Evaluation.run(pairs, convention, (item, done, total) -> {
				feedback.progress(done, total);
				feedback.status(LABEL + ": " + done + "/" + total);
			}, feedback::cancelled);
		}
		for (String problem : result.problems())
			feedback.log(LABEL + ": could not score " + problem);
		if (result.rows().isEmpty())
			throw new IllegalArgumentException("nothing could be scored: " + String.join("; ", result.problems()));
		if (csv != null) Evaluation.writeCsv(result, csv, o.overwrite());
		Score mean = result.mean();
		String summary = String.format(Locale.ROOT, "%d image(s), %s: mean PSNR %s dB%s, SSIM %.4f%s",
			result.rows().size(), convention.key(), Evaluation.psnrText(mean.psnr(), "%.3f"),
			result.identicalNote(), mean.ssim(),
			result.failures().isEmpty() ? "" : "; " + result.failures().size() + " could not be scored (see the log)");
		feedback.log(LABEL + ": " + summary + (csv == null ? "" : "; CSV " + csv));
		feedback.status(LABEL + ": " + summary);
		ResultsTable table = ReportTables.evaluation(result);
		CommandSupport.show(table, LABEL);
		return table;
	}

	/**
	 * Two open images, when {@code prediction} and {@code reference} are no files but titles of open images;
	 * null when they are paths.
	 */
	private static Evaluation.Result openImages(Options o, String mode, Convention convention) {
		if (Files.exists(Path.of(o.prediction())) && Files.exists(Path.of(o.reference()))) return null;
		ImagePlus pred = openImage(o.prediction()), ref = openImage(o.reference());
		if (pred == null || ref == null) return null; // pairs() then names the missing file
		if (!mode.equals("auto") && !mode.equals("images"))
			throw new IllegalArgumentException("mode: open images are compared with mode=images, not " + mode);
		List<Evaluation.Row> rows = new ArrayList<>();
		List<Score> scores = Evaluation.score(pred, ref, convention);
		for (int i = 0; i < scores.size(); i++)
			rows.add(new Evaluation.Row(pred.getTitle() + (scores.size() > 1 ? " [" + (i + 1) + "]" : ""), "",
				scores.get(i).psnr(), scores.get(i).ssim()));
		return new Evaluation.Result(convention, rows, List.of());
	}

	/** The open image titled {@code title} (or, for a path-like value, titled by its file name). */
	private static ImagePlus openImage(String title) {
		ImagePlus imp = WindowManager.getImage(title);
		if (imp == null && !title.equals(new File(title).getName())) imp = WindowManager.getImage(new File(title).getName());
		return imp;
	}

	private static List<Pairing.Pair> pairs(Path pred, Path ref, String mode) throws IOException {
		if (!Files.exists(pred))
			throw new NoSuchFileException(pred.toString(), null, "prediction is neither a file, a folder nor an open image");
		if (!Files.exists(ref))
			throw new NoSuchFileException(ref.toString(), null, "reference is neither a file, a folder nor an open image");
		boolean folders = Files.isDirectory(pred) && Files.isDirectory(ref);
		switch (mode) {
			case "images":
				if (Files.isDirectory(pred) || Files.isDirectory(ref))
					throw new IllegalArgumentException("mode=images compares two image files; " + (Files.isDirectory(pred)
						? pred : ref) + " is a folder (use mode=folders or mode=auto)");
				return Pairing.byName(pred, ref);
			case "folders":
				if (!folders) throw new IllegalArgumentException("mode=folders needs two folders; got " + pred + " and " + ref);
				return Pairing.byName(pred, ref);
			case "gtrain_scenes":
				if (!folders)
					throw new IllegalArgumentException("mode=gtrain_scenes needs two folders (predictions and a GT-RAIN split)");
				return Pairing.gtrainScenes(pred, ref);
			default:
				return folders && hasSceneFolders(ref) ? Pairing.gtrainScenes(pred, ref) : Pairing.byName(pred, ref);
		}
	}

	/** True when {@code dir} holds a sub-folder with a GT-RAIN rainy frame ({@code ...-R-NNN.*}). */
	private static boolean hasSceneFolders(Path dir) throws IOException {
		try (Stream<Path> scenes = Files.list(dir)) {
			for (Path scene : (Iterable<Path>) scenes.filter(Files::isDirectory)::iterator)
				try (Stream<Path> files = Files.list(scene)) {
					if (files.anyMatch(p -> p.getFileName().toString().matches(".*-R-\\d+\\.\\w+"))) return true;
				}
		} catch (IOException e) {
			throw new IOException("cannot list " + dir + ": " + UserMessages.describe(e), e);
		}
		return false;
	}
}
