package fiji.plugin.derain.predict;

import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.tensor.TiledInference;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Derains files into an output folder: the {@link FolderBatch.Job} and {@link FolderBatch.Outputs} shared by
 * Derain Folder, {@code derain run} and macros. Output {@code OUT/<same sub-folder>/<name>.<ext>}, written
 * atomically; the format is {@code auto} (TIFF inputs stay TIFF, so stacks and 16/32-bit data survive; all
 * others become PNG), or png | tiff | jpeg. Each file is read within a pixel budget and checked against the output
 * format (a multi-frame GIF cannot become a PNG) before it is derained; an output never replaces its input.
 */
public final class DerainBatch {
	private final Derainer derainer;
	private final Derainer.Settings settings;
	private final Path outputDir;
	private final ImageFiles.Format format;
	private final boolean overwrite;
	private final TiledInference.Progress tileProgress;
	private final BooleanSupplier cancelled;
	private final ImageFiles.PixelBudget budget;

	/** With the pixel budget of the system property ({@link ImageFiles.PixelBudget#fromSystemProperty}). */
	public DerainBatch(Derainer derainer, Derainer.Settings settings, Path outputDir, String format, boolean overwrite,
		TiledInference.Progress tileProgress, BooleanSupplier cancelled) {
		this(derainer, settings, outputDir, format, overwrite, tileProgress, cancelled,
			ImageFiles.PixelBudget.fromSystemProperty());
	}

	/**
	 * @param format "auto", "png", "tiff" or "jpeg"
	 * @param tileProgress told (tiles done, tiles total) within the current file
	 * @param budget the largest image read
	 */
	public DerainBatch(Derainer derainer, Derainer.Settings settings, Path outputDir, String format, boolean overwrite,
		TiledInference.Progress tileProgress, BooleanSupplier cancelled, ImageFiles.PixelBudget budget) {
		this.derainer = derainer;
		this.settings = settings;
		this.outputDir = outputDir;
		this.format = parseFormat(format);
		this.overwrite = overwrite;
		this.tileProgress = tileProgress;
		this.cancelled = cancelled;
		this.budget = budget;
	}

	/** The output file for an input given relative to its batch folder (or as a plain path). */
	public Path outputFor(Path relative) {
		return outputFor(outputDir, format, relative);
	}

	/**
	 * The output file for an input given relative to its batch folder (or as a plain path).
	 *
	 * @param format the output format, or null for auto
	 */
	public static Path outputFor(Path outputDir, ImageFiles.Format format, Path relative) {
		Path parent = relative.isAbsolute() || relative.getParent() == null ? null : relative.getParent();
		String name = FileNames.baseName(relative) + "." + formatFor(format, relative).extension;
		return parent == null ? outputDir.resolve(name) : outputDir.resolve(parent).resolve(name);
	}

	/**
	 * Refuses inputs whose outputs would share a name (outputs are named by the input's base name, so {@code a/x.png}
	 * and {@code b/x.jpg} both give {@code x.*}, and the second input would look done).
	 *
	 * @param fileName the input's file name (a path or a URI's last part)
	 * @throws IllegalArgumentException naming both inputs and what to do
	 */
	public static <T> void refuseSharedOutputNames(Collection<T> inputs, Function<T, Path> fileName) {
		Map<String, T> byName = new HashMap<>();
		for (T in : inputs) {
			String base = FileNames.baseName(fileName.apply(in));
			T other = byName.putIfAbsent(base, in);
			if (other != null) throw new IllegalArgumentException(other + " and " + in + " would both be written as " + base
				+ ".*; derain them into different --out folders");
		}
	}

	/** "auto" (or null) → null, else {@link ImageFiles.Format#parse}. */
	public static ImageFiles.Format parseFormat(String format) {
		return "auto".equals(format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT)) ? null
			: ImageFiles.Format.parse(format);
	}

	private ImageFiles.Format formatFor(Path input) {
		return formatFor(format, input);
	}

	private static ImageFiles.Format formatFor(ImageFiles.Format format, Path input) {
		if (format != null) return format;
		String ext = FileNames.extension(input);
		return ext.equals("tif") || ext.equals("tiff") ? ImageFiles.Format.TIFF : ImageFiles.Format.PNG;
	}

	public FolderBatch.Outputs outputs() {
		return rel -> List.of(outputFor(rel));
	}

	public FolderBatch.Job job() {
		return new FolderBatch.Job() {
			@Override
			public void process(Path input, Path relative) throws Exception {
				processAndNote(input, relative);
			}

			@Override
			public String processAndNote(Path input, Path relative) throws Exception {
				return derainFile(input, relative);
			}
		};
	}

	/** Reads, checks, derains and writes one file; returns the notes on what the output lost ("" if nothing). */
	private String derainFile(Path input, Path rel) throws IOException {
		Path target = outputFor(rel);
		if (FolderBatch.sameFile(input, target))
			throw new IOException("its output would replace the input file " + input + "; choose another output folder");
		ImageFiles.Loaded loaded = ImageFiles.load(input, budget);
		ImageFiles.checkWritable(loaded.image(), formatFor(rel), input.toString());
		ImagePlus out = derainer.derain(loaded.image(), settings, tileProgress, cancelled);
		ImageFiles.write(out, target, formatFor(rel), overwrite);
		return String.join("; ", loaded.notes());
	}
}
