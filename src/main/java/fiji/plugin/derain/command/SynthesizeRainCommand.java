package fiji.plugin.derain.command;

import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.synth.RainParams;
import fiji.plugin.derain.synth.RainResult;
import fiji.plugin.derain.synth.SynthesizeBatch;
import fiji.plugin.derain.tensor.ImageBridge;
import fiji.plugin.derain.tensor.Scaling;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;

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
 * <i>Plugins › Deraining › Synthesize Rain</i>: puts synthetic rain on a clean photo, to see what the
 * synthesizer makes or to build training pairs for <i>Train Derainer</i>.
 * <p>
 * Macro keys (Fiji and ImageJ 1.x alike; {@code ij1.Synthesize_Rain} runs the same static methods):
 * <ul>
 * <li>{@code source}: {@code image} (the current image → a new image "&lt;title&gt;-rainy" of the same type;
 * with {@code layer} also "&lt;title&gt;-rain-layer", 32-bit in [0, 1]) | {@code folder} (every image of
 * {@code input} → {@code output/rainy/}, {@code output/clean/}, {@code output/layers/} as PNG, the pairs
 * {@code Train Derainer} reads with {@code rainy=output/rainy clean=output/clean});</li>
 * <li>{@code preset}, {@code density}, {@code length}, {@code angle}, {@code width}, {@code brightness},
 * {@code motion_blur}, {@code defocus}, {@code transmission}, {@code atmospheric_light}, {@code seed},
 * {@code absolute_size}: see {@link RainOptions} (an empty value means the preset's);</li>
 * <li>folders only: {@code max_size} (downscale photos whose longer side exceeds it first; 0 = keep),
 * {@code overwrite} (redo files whose outputs exist instead of skipping them, i.e. resuming).</li>
 * </ul>
 * Equal parameters and seed give bit-identical rain. Folder results: the table "Synthesize Rain" ({@code file,
 * status, seconds, message}), also written to {@code <output>/}{@value #REPORT_CSV}.
 * <p>
 * Inputs are not persisted: a key left out of a macro means its default, never the value of an earlier run.
 */
@Plugin(type = Command.class, menuPath = SynthesizeRainCommand.MENU_PATH, label = SynthesizeRainCommand.LABEL)
public class SynthesizeRainCommand extends FeedbackCommand {

	public static final String LABEL = "Synthesize Rain";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;
	/** The report written into the output folder (the name {@code derain synth} uses too). */
	public static final String REPORT_CSV = "synth-report.csv";
	public static final String[] SOURCES = { "image", "folder" };

	/** A synthesized image and, when asked for, its rain layer (else null). */
	public record Rainy(ImagePlus rainy, ImagePlus layer) {}

	/** The folder parameters (see the class comment for their macro keys). */
	public record Folders(File input, File output, int maxSize, boolean overwrite) {}

	/** The parameters of a run: {@code source}, the rain, {@code layer} (image) and the folders (folder). */
	public record Request(String source, RainOptions rain, boolean layer, Folders folders) {}

	@Parameter(persist = false, label = "Source", choices = { "image", "folder" })
	private String source = "image";

	@Parameter(persist = false, required = false, label = "Image")
	private ImagePlus imp;

	@Parameter(persist = false, required = false, label = "Input folder (clean photos)",
		style = FileWidget.DIRECTORY_STYLE)
	private File input;

	@Parameter(persist = false, required = false, label = "Output folder", style = FileWidget.DIRECTORY_STYLE)
	private File output;

	@Parameter(persist = false, label = "Preset", choices = { "light", "medium", "heavy", "storm" })
	private String preset = RainOptions.DEFAULT_PRESET;

	// Text fields: empty means the preset's value (see RainOptions).
	@Parameter(persist = false, required = false, label = "Density (streaks/Mpx)", description = "empty = preset")
	private String density = "";

	@Parameter(persist = false, required = false, label = "Length (px)", description = "empty = preset")
	private String length = "";

	@Parameter(persist = false, required = false, label = "Angle (deg from vertical)", description = "empty = preset")
	private String angle = "";

	@Parameter(persist = false, required = false, label = "Width (px)", description = "empty = preset")
	private String width = "";

	@Parameter(persist = false, required = false, label = "Brightness (0-1)", description = "empty = preset")
	private String brightness = "";

	@Parameter(persist = false, required = false, label = "Motion blur (px)", description = "empty = preset")
	private String motion_blur = "";

	@Parameter(persist = false, required = false, label = "Defocus (px)", description = "empty = preset")
	private String defocus = "";

	@Parameter(persist = false, required = false, label = "Transmission (1 = no veil)", description = "empty = preset")
	private String transmission = "";

	@Parameter(persist = false, required = false, label = "Atmospheric light (0-1)", description = "empty = preset")
	private String atmospheric_light = "";

	@Parameter(persist = false, label = "Seed")
	private long seed;

	@Parameter(persist = false, label = "Absolute sizes (px of each image)",
		description = "off: sizes scale from a 1024-px-wide photo to the image's width")
	private boolean absolute_size;

	@Parameter(persist = false, label = "Also show the rain layer (image)")
	private boolean layer;

	@Parameter(persist = false, label = "Max size (px, folder; 0 = keep)", min = "0")
	private int max_size;

	@Parameter(persist = false, label = "Overwrite existing outputs (folder)")
	private boolean overwrite;

	@Parameter(type = ItemIO.OUTPUT, label = "Rainy")
	private ImagePlus rainy;

	@Parameter(type = ItemIO.OUTPUT, label = "Rain layer")
	private ImagePlus rain_layer;

	@Parameter(type = ItemIO.OUTPUT, label = "Synthesize Rain")
	private ResultsTable report;

	@Override
	String label() {
		return LABEL;
	}

	@Override
	void execute(CommandSupport.Feedback feedback) throws Exception {
		Request request = request();
		if (isFolder(request.source())) report = synthesizeFolder(request.folders(), request.rain(), feedback);
		else {
			Rainy r = synthesize(imp, request.rain(), request.layer(), feedback);
			rainy = r.rainy();
			rain_layer = r.layer();
		}
	}

	/** The parameters as set by the dialog or a macro. */
	public Request request() {
		RainOptions rain = new RainOptions(preset, density, length, angle, width, brightness, motion_blur, defocus,
			transmission, atmospheric_light, seed, absolute_size);
		return new Request(source, rain, layer, new Folders(file(input), file(output), max_size, overwrite));
	}

	/** True for {@code source=folder}, false for {@code image}; the message names the key otherwise. */
	public static boolean isFolder(String source) {
		String s = source == null || source.isBlank() ? "image" : source.trim().toLowerCase(Locale.ROOT);
		if (!s.equals("image") && !s.equals("folder"))
			throw new IllegalArgumentException("source: unknown source '" + source + "'; use image | folder");
		return s.equals("folder");
	}

	/**
	 * Rain on one image (one frame: no stacks), exactly as {@link SynthesizeBatch#synthesize} renders it with
	 * {@code rain}'s seed.
	 *
	 * @param withLayer also return the rain layer as a 32-bit image
	 * @return new images; {@code imp} is left unchanged
	 */
	public static Rainy synthesize(ImagePlus imp, RainOptions rain, boolean withLayer, CommandSupport.Feedback feedback) {
		if (imp == null) throw new IllegalArgumentException("no image: open a clean photo first (or use source=folder)");
		ImageBridge.checkSupported(imp);
		if (imp.getNSlices() * imp.getNFrames() != 1)
			throw new IllegalArgumentException("image '" + imp.getTitle() + "' is a stack of " + imp.getNSlices()
				* imp.getNFrames() + " frames; synthesize rain on single images (or use source=folder)");
		RainParams params = rain.params();
		feedback.status(LABEL + ": " + imp.getTitle());
		RainResult r = new SynthesizeBatch(null, params, !rain.absoluteSize(), 0, false).synthesize(imp, params);
		String base = baseTitle(imp);
		ImagePlus out = ImageBridge.createOutput(imp, base + "-rainy");
		ImageBridge.writeFrame(r.rainyImg(), out, 1, 1, Scaling.defaultFor(imp));
		ImagePlus layerImage = null;
		if (withLayer) {
			layerImage = new ImagePlus(base + "-rain-layer", new FloatProcessor(r.width(), r.height(), r.layer().clone()));
			layerImage.getProcessor().setMinAndMax(0, 1);
			layerImage.setCalibration(imp.getCalibration());
		}
		feedback.status(LABEL + ": " + out.getTitle());
		return new Rainy(out, layerImage);
	}

	/**
	 * Synthesizes rain on every image of {@code f.input()}, shows the report table (when there is a screen),
	 * writes it as CSV and logs the summary. Single files never throw; a bad parameter does, before any work.
	 */
	public static ResultsTable synthesizeFolder(Folders f, RainOptions rain, CommandSupport.Feedback feedback)
		throws IOException {
		if (f.input() == null || f.input().getPath().isBlank())
			throw new IllegalArgumentException("input: choose the folder of clean photos");
		if (f.output() == null || f.output().getPath().isBlank())
			throw new IllegalArgumentException("output: choose a folder for the rainy/clean/layers pairs");
		if (f.maxSize() < 0)
			throw new IllegalArgumentException("max_size: must be 0 (keep the size) or a number of pixels, got "
				+ f.maxSize());
		RainParams params = rain.params();
		FolderBatch batch = new FolderBatch(f.input().toPath(), f.output().toPath(), null, false, f.overwrite(), false);
		if (batch.inputs().isEmpty()) throw new IllegalArgumentException("input: no images in " + f.input());
		SynthesizeBatch synth = new SynthesizeBatch(batch.outputDir(), params, !rain.absoluteSize(), f.maxSize(),
			f.overwrite());
		List<BatchItem> items = batch.run(synth.job(), synth.outputs(), (item, index, total) -> {
			feedback.progress(index, total);
			feedback.status(LABEL + ": " + index + "/" + total + " " + item.file() + " " + item.status().id());
			if (item.status() == BatchItem.Status.FAILED) feedback.log(LABEL + ": " + item.file() + ": " + item.message());
		}, feedback::cancelled);
		Path csv = batch.outputDir().resolve(REPORT_CSV);
		FolderBatch.writeCsv(items, csv);
		String summary = FolderBatch.summary(items);
		feedback.log(LABEL + ": " + summary + "; pairs in " + batch.outputDir() + " (" + SynthesizeBatch.RAINY + ", "
			+ SynthesizeBatch.CLEAN + ", " + SynthesizeBatch.LAYERS + "); report " + csv);
		feedback.status(LABEL + ": " + summary);
		ResultsTable table = ReportTables.batch(items);
		CommandSupport.show(table, LABEL);
		return table;
	}

	/** The title without a file extension, so "street.jpg" gives "street-rainy". */
	private static String baseTitle(ImagePlus imp) {
		String t = imp.getTitle();
		int dot = t.lastIndexOf('.');
		return dot > 0 && t.length() - dot <= 5 ? t.substring(0, dot) : t;
	}
}
