package fiji.plugin.derain.command;

import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.io.AtomicFiles;
import fiji.plugin.derain.predict.DerainBatch;
import fiji.plugin.derain.predict.Derainer;

import ij.measure.ResultsTable;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * <i>Plugins › Deraining › Derain Folder</i>: derains every image of a folder into another folder, so that
 * nothing is lost: outputs that exist are skipped (re-running resumes a crashed or cancelled batch), each
 * output is written atomically, a bad file is recorded and skipped, and Esc stops between tiles.
 * <p>
 * Macro keys (Fiji and ImageJ 1.x alike; {@code ij1.Derain_Folder} runs the same {@link #derain}):
 * <ul>
 * <li>{@code input}: folder of images; {@code output}: folder for the results (created when missing; refused
 * inside {@code input} unless {@code allow_output_in_input});</li>
 * <li>{@code pattern}: glob on file names such as {@code *.png} or {@code *.{jpg,png}}; empty = all PNG,
 * JPEG, TIFF, BMP and GIF files;</li>
 * <li>{@code recursive}: also sub-folders (mirrored below {@code output});</li>
 * <li>{@code format}: {@code auto} (TIFF stays TIFF, everything else becomes PNG) | {@code png} |
 * {@code tiff} | {@code jpeg};</li>
 * <li>{@code overwrite}: redo files whose output exists instead of skipping them;</li>
 * <li>{@code allow_output_in_input}: permit an output folder inside the input folder;</li>
 * <li>{@code model}, {@code model_folder}, {@code tile}, {@code overlap}, {@code device}: see
 * {@link ModelOptions}.</li>
 * </ul>
 * Results: the table "Derain Folder" ({@code file, status, seconds, message}; status done | skipped | failed |
 * cancelled), also written to {@code <output>/}{@value #REPORT_CSV}.
 * <p>
 * Inputs are not persisted ({@code persist = false}): a key left out of a macro means its default, in Fiji
 * as in ImageJ 1.x, never the value of an earlier run.
 */
@Plugin(type = Command.class, menuPath = DerainFolderCommand.MENU_PATH, label = DerainFolderCommand.LABEL)
public class DerainFolderCommand extends ModelCommand {

	public static final String LABEL = "Derain Folder";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;
	/** The report written into the output folder (replaced on every run). */
	public static final String REPORT_CSV = "derain-folder-report.csv";
	public static final String[] FORMATS = { "auto", "png", "tiff", "jpeg" };

	/** The folder parameters of a run (see the class comment for their macro keys). */
	public record Folders(File input, File output, String pattern, boolean recursive, String format, boolean overwrite,
		boolean allowOutputInInput) {}

	@Parameter(persist = false, required = false, label = "Input folder", style = FileWidget.DIRECTORY_STYLE)
	private File input;

	@Parameter(persist = false, required = false, label = "Output folder", style = FileWidget.DIRECTORY_STYLE)
	private File output;

	@Parameter(persist = false, label = "File pattern", required = false,
		description = "e.g. *.png or *.{jpg,png}; empty = all images")
	private String pattern = "";

	@Parameter(persist = false, label = "Include sub-folders")
	private boolean recursive;

	@Parameter(persist = false, label = "Output format", choices = { "auto", "png", "tiff", "jpeg" })
	private String format = "auto";

	@Parameter(persist = false, label = "Overwrite existing outputs",
		description = "off: existing outputs are skipped (resume)")
	private boolean overwrite;

	@Parameter(persist = false, label = "Allow output inside the input folder")
	private boolean allow_output_in_input;

	@Parameter(type = ItemIO.OUTPUT, label = "Derain Folder")
	private ResultsTable report;

	@Override
	String label() {
		return LABEL;
	}

	@Override
	void execute(CommandSupport.Feedback feedback) throws Exception {
		report = derain(folders(), modelOptions(), feedback);
	}

	/** The folder parameters as set by the dialog or a macro. */
	public Folders folders() {
		return new Folders(file(input), file(output), pattern, recursive, format, overwrite, allow_output_in_input);
	}

	/**
	 * Derains the folder, shows the report table (when there is a screen), writes it as CSV and logs the
	 * summary. Single files never throw; a bad parameter or an unusable model does, before any work.
	 */
	public static ResultsTable derain(Folders f, ModelOptions options, CommandSupport.Feedback feedback)
		throws IOException {
		if (f.input() == null || f.input().getPath().isBlank())
			throw new IllegalArgumentException("input: choose the folder of images to derain");
		if (f.output() == null || f.output().getPath().isBlank())
			throw new IllegalArgumentException("output: choose a folder for the derained images");
		String format = f.format() == null || f.format().isBlank() ? "auto" : f.format().trim().toLowerCase(Locale.ROOT);
		if (!List.of(FORMATS).contains(format) && !format.equals("tif") && !format.equals("jpg"))
			throw new IllegalArgumentException("format: unknown output format '" + f.format()
				+ "'; use auto | png | tiff | jpeg");
		FolderBatch batch = new FolderBatch(f.input().toPath(), f.output().toPath(), f.pattern(), f.recursive(),
			f.overwrite(), f.allowOutputInInput());
		List<Path> inputs = batch.inputs();
		if (inputs.isEmpty())
			throw new IllegalArgumentException("input: no images" + (f.pattern() == null || f.pattern().isBlank() ? ""
				: " matching '" + f.pattern() + "'") + " in " + f.input() + (f.recursive() ? " or its sub-folders" : ""));
		options.validate();
		AtomicFiles.requireWritableFolder(batch.outputDir());

		List<BatchItem> items;
		try (Derainer derainer = options.open(LABEL, feedback)) {
			int[] current = {0};
			DerainBatch job = new DerainBatch(derainer, options.settings(), batch.outputDir(), format, f.overwrite(),
				(done, total) -> feedback.progress(current[0] * total + done, inputs.size() * total), feedback::cancelled);
			items = batch.run(job.job(), job.outputs(), (item, index, total) -> {
				current[0] = index;
				feedback.progress(index, total);
				feedback.status(LABEL + ": " + index + "/" + total + " " + item.file() + " " + item.status().id());
				if (item.status() == BatchItem.Status.FAILED || !item.message().isEmpty())
					feedback.log(LABEL + ": " + item.file() + ": " + item.message());
			}, feedback::cancelled);
		}
		Path csv = batch.outputDir().resolve(REPORT_CSV);
		FolderBatch.writeCsv(items, csv);
		String summary = FolderBatch.summary(items);
		feedback.log(LABEL + ": " + summary + "; report " + csv);
		feedback.status(LABEL + ": " + summary);
		ResultsTable table = ReportTables.batch(items);
		CommandSupport.show(table, LABEL);
		return table;
	}
}
