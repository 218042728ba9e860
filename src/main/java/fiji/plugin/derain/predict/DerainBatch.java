package fiji.plugin.derain.predict;

import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.tensor.TiledInference;

import ij.ImagePlus;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Derains files into an output folder: the {@link FolderBatch.Job} and {@link FolderBatch.Outputs} shared by
 * Derain Folder, {@code derain run} and macros. Output {@code OUT/<same sub-folder>/<name>.<ext>}, written
 * atomically; the format is {@code auto} (TIFF inputs stay TIFF, so stacks and 16/32-bit data survive; all
 * others become PNG), or png | tiff | jpeg.
 */
public final class DerainBatch {
	private final Derainer derainer;
	private final Derainer.Settings settings;
	private final Path outputDir;
	private final ImageFiles.Format format;
	private final boolean overwrite;
	private final TiledInference.Progress tileProgress;
	private final BooleanSupplier cancelled;

	/**
	 * @param format "auto", "png", "tiff" or "jpeg"
	 * @param tileProgress told (tiles done, tiles total) within the current file
	 */
	public DerainBatch(Derainer derainer, Derainer.Settings settings, Path outputDir, String format, boolean overwrite,
		TiledInference.Progress tileProgress, BooleanSupplier cancelled) {
		this.derainer = derainer;
		this.settings = settings;
		this.outputDir = outputDir;
		this.format = "auto".equals(format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT)) ? null
			: ImageFiles.Format.parse(format);
		this.overwrite = overwrite;
		this.tileProgress = tileProgress;
		this.cancelled = cancelled;
	}

	/** The output file for an input given relative to its batch folder (or as a plain path). */
	public Path outputFor(Path relative) {
		Path parent = relative.isAbsolute() || relative.getParent() == null ? null : relative.getParent();
		String name = FileNames.baseName(relative) + "." + formatFor(relative).extension;
		return parent == null ? outputDir.resolve(name) : outputDir.resolve(parent).resolve(name);
	}

	private ImageFiles.Format formatFor(Path input) {
		if (format != null) return format;
		String ext = FileNames.extension(input);
		return ext.equals("tif") || ext.equals("tiff") ? ImageFiles.Format.TIFF : ImageFiles.Format.PNG;
	}

	public FolderBatch.Outputs outputs() {
		return rel -> List.of(outputFor(rel));
	}

	public FolderBatch.Job job() {
		return (input, rel) -> {
			ImagePlus imp = ImageFiles.read(input);
			ImagePlus out = derainer.derain(imp, settings, tileProgress, cancelled);
			ImageFiles.write(out, outputFor(rel), formatFor(rel), overwrite);
		};
	}
}
