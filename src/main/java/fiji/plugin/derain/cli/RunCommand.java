package fiji.plugin.derain.cli;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.batch.Shard;
import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.StopRequest;
import fiji.plugin.derain.io.AtomicFiles;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.predict.DerainBatch;
import fiji.plugin.derain.predict.Derainer;
import fiji.plugin.derain.predict.ModelCatalog;
import fiji.plugin.derain.tensor.TiledInference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code derain run --model MODEL --out OUT_DIR [--tile N --overlap N --device D --format F --overwrite --shard K/N]
 * INPUT...}: inputs are image files or folders of images, processed once each in sorted order.
 */
public final class RunCommand implements Main.SubCommand {
	@Override
	public String name() {
		return "run";
	}

	/** The help lines of {@code --tile} and {@code --overlap}, as every tool that runs the network takes them. */
	public static final String TILING_HELP = String.join("\n",
		"  --tile N    working size in pixels (default " + TiledInference.DEFAULT_TILE_SIZE
			+ "): larger images run in exact bands of about 2*N*N pixels, the",
		"              same output at any N; 0 = whole image at once (memory grows with the image)",
		"  --overlap N context per tile for instance-norm models (default " + TiledInference.DEFAULT_OVERLAP
			+ "); unused by GT-RAIN's batch-norm models");

	@Override
	public String usage() {
		return String.join("\n",
			"run [--model default|NAME|DIR] --out OUT_DIR [options] INPUT...",
			"  Derains images (PNG, JPEG, TIFF incl. stacks; 8/16/32-bit gray, RGB) into OUT_DIR/<name>.png",
			"  (TIFF inputs give .tif). Existing outputs are skipped, so re-running resumes an interrupted batch.",
			"  An INPUT is an image file or a folder (its image files, not sub-folders); each is done once, in sorted order.",
			"  --model     'default' (shipped), a model installed in " + ModelCatalog.userModels() + ", or a folder",
			TILING_HELP,
			"  --device    auto (GPU when present, default) | cpu | gpu",
			"  --format    auto (default) | png | tiff | jpeg",
			"  --max-pixels N  largest image read, in pixels (width x height; default "
				+ ImageFiles.DEFAULT_MAX_PIXELS + ", or -D" + ImageFiles.MAX_PIXELS_PROPERTY + ")",
			"  --overwrite replace existing outputs instead of skipping them (never an input file)",
			"  --shard K/N only the K-th of N shares of the sorted inputs (every N-th from the K-th; K = 1..N), for job",
			"              arrays: N tasks with K = 1..N together do the whole batch once (SLURM: --array=1-N)",
			"  --allow-output-in-input  permit OUT_DIR to be, or lie inside, the folder of an input");
	}

	@Override
	public int run(String[] argv, Console console) throws Exception {
		Args a = new Args(name(), argv, 1, Set.of("model", "out", "tile", "overlap", "device", "format", "max-pixels",
			"shard"),
			Set.of("overwrite", "allow-output-in-input"));
		if (a.positional().isEmpty()) throw new Args.UsageException(name() + ": give at least one input image");
		DeviceChoice device;
		Derainer.Settings settings;
		ImageFiles.Format format;
		ImageFiles.PixelBudget budget;
		Shard shard;
		try {
			device = DeviceChoice.parse(a.string("device", "auto"));
			settings = new Derainer.Settings(a.integer("tile", TiledInference.DEFAULT_TILE_SIZE, 0),
				a.integer("overlap", TiledInference.DEFAULT_OVERLAP, 0), null);
			format = DerainBatch.parseFormat(a.string("format", "auto"));
			budget = new ImageFiles.PixelBudget(a.longValue("max-pixels", ImageFiles.defaultMaxPixels()), "--max-pixels N");
			shard = a.has("shard") ? Shard.parse(a.string("shard", "")) : Shard.ALL;
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": " + e.getMessage());
		}
		Path out = a.path("out");
		List<Path> all = expandInputs(a.positional(), out);
		checkOutputs(all, out, format, a.flag("allow-output-in-input"));
		List<Path> inputs = shard.of(all);
		if (!shard.equals(Shard.ALL)) console.note("shard " + shard + ": " + inputs.size() + " of " + all.size() + " inputs");
		Path model = ModelCatalog.resolve(a.string("model", ModelCatalog.DEFAULT));
		// Ctrl-C stops at the next tile or band: outputs are written atomically (no half files), and running the same
		// command again skips what is done
		StopRequest stop = new StopRequest(console::note, "stopping after the current tile: finished images are kept, this one"
			+ " is not written; run the same command again to continue");
		try (Derainer d = Derainer.open(model, device, console::note)) {
			console.note("model: " + d.descriptor().name() + " (" + model + ")");
			int[] current = {0};
			DerainBatch batch = new DerainBatch(d, settings, out, a.string("format", "auto"), a.flag("overwrite"),
				(done, total) -> console.progress(label(inputs, current[0]), done, total), stop::requested, budget);
			List<BatchItem> items = FolderBatch.process(null, inputs, a.flag("overwrite"), batch.job(), batch.outputs(),
				(item, i, n) -> {
					current[0] = i;
					report(console, item, batch);
				}, stop::requested);
			console.note(FolderBatch.summary(items));
			if (stop.requested()) return 130;
			return items.stream().allMatch(i -> i.status() == BatchItem.Status.DONE
				|| i.status() == BatchItem.Status.SKIPPED) ? 0 : 1;
		} finally {
			stop.close();
		}
	}

	/**
	 * The image files named by the operands (a folder stands for its image files), each once, sorted by absolute
	 * path so that every task of a job array sees the same list whatever the order of its operands.
	 */
	private List<Path> expandInputs(List<String> operands, Path out) throws java.io.IOException {
		java.util.Map<Path, Path> byKey = new java.util.TreeMap<>();
		for (String operand : operands) {
			Path p = Paths.get(operand);
			List<Path> files = Files.isDirectory(p) ? new FolderBatch(p, out, null, false, false, true).inputs().stream()
				.map(p::resolve).toList() : List.of(p);
			for (Path f : files) byKey.putIfAbsent(f.toAbsolutePath().normalize(), f);
		}
		if (byKey.isEmpty()) throw new Args.UsageException(name() + ": no image files in " + String.join(", ", operands));
		return List.copyOf(byKey.values());
	}

	/**
	 * Before any work: the output folder must not be (or lie in) an input's folder unless allowed, no output may be
	 * an input file, no two inputs may give one output name, and the output folder must be a writable folder (created
	 * when missing).
	 */
	private void checkOutputs(List<Path> inputs, Path out, ImageFiles.Format format, boolean allowInsideInput) {
		try {
			DerainBatch.refuseSharedOutputNames(inputs, Path::getFileName);
			for (Path in : inputs) {
				Path folder = in.toAbsolutePath().getParent();
				if (!allowInsideInput && folder != null) FolderBatch.refuseOutputInside(folder, out);
				if (FolderBatch.sameFile(in, DerainBatch.outputFor(out, format, in.getFileName())))
					throw new IllegalArgumentException(in + " would be replaced by its own output; choose another --out"
						+ " or --format");
			}
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": " + e.getMessage());
		}
		try {
			AtomicFiles.requireWritableFolder(out);
		} catch (java.io.IOException e) {
			throw new Args.UsageException(name() + ": --out " + UserMessages.describe(e));
		}
	}

	private static String label(List<Path> inputs, int index) {
		return "[" + (index + 1) + "/" + inputs.size() + "] " + inputs.get(Math.min(index, inputs.size() - 1)).getFileName();
	}

	private static void report(Console console, BatchItem item, DerainBatch batch) {
		switch (item.status()) {
			case DONE:
				console.note(String.format("%s -> %s (%.1f s)%s", item.file(), batch.outputFor(item.file()), item.seconds(),
					item.message().isEmpty() ? "" : "; " + item.message()));
				break;
			case SKIPPED:
				console.note(item.file() + ": skipped, " + item.message() + " (--overwrite to redo)");
				break;
			default:
				console.note(item.file() + ": " + item.status().id() + ": " + item.message());
		}
	}
}
