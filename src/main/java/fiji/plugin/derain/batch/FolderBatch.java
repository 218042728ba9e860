package fiji.plugin.derain.batch;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.io.AtomicFiles;
import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Runs one job per image file of a folder, so that nothing is lost: outputs that already exist are skipped
 * (which is how a crashed or cancelled batch resumes), a bad file is recorded and the batch goes on, and
 * cancelling stops between files. The job itself writes its outputs (atomically, via {@link AtomicFiles}).
 */
public final class FolderBatch {

	/** Work on one input: writes the outputs and returns normally, or throws with a reason. */
	@FunctionalInterface
	public interface Job {
		void process(Path input, Path relative) throws Exception;

		/** Like {@link #process}, returning a note for the report ("" for none), e.g. what the output lost. */
		default String processAndNote(Path input, Path relative) throws Exception {
			process(input, relative);
			return "";
		}
	}

	/** Where a job writes for a given input (relative to the input folder); used to skip finished work. */
	@FunctionalInterface
	public interface Outputs {
		List<Path> of(Path relative);
	}

	/** Told after each file. */
	@FunctionalInterface
	public interface Listener {
		void itemFinished(BatchItem item, int index, int total);
	}

	private final Path inputDir;
	private final Path outputDir;
	private final String pattern;
	private final boolean recursive;
	private final boolean overwrite;

	/**
	 * @param pattern glob on file names, e.g. {@code *.png} or {@code *.{jpg,png}}; empty or null = all images
	 * @param allowOutputInsideInput if false, an output folder inside (or equal to) the input folder is refused
	 */
	public FolderBatch(Path inputDir, Path outputDir, String pattern, boolean recursive, boolean overwrite,
		boolean allowOutputInsideInput) throws IOException {
		if (!Files.isDirectory(inputDir))
			throw new IOException("input folder " + inputDir + " does not exist or is not a folder");
		this.inputDir = inputDir.toAbsolutePath().normalize();
		this.outputDir = outputDir.toAbsolutePath().normalize();
		if (!allowOutputInsideInput) refuseOutputInside(inputDir, outputDir);
		this.pattern = pattern == null || pattern.isBlank() ? "" : pattern.trim();
		this.recursive = recursive;
		this.overwrite = overwrite;
	}

	/**
	 * Refuses an output folder equal to or inside an input folder (results would mix with, or replace, the inputs).
	 *
	 * @throws IllegalArgumentException naming both folders and how to go on
	 */
	public static void refuseOutputInside(Path inputDir, Path outputDir) {
		Path in = canonical(inputDir), out = canonical(outputDir);
		if (out.startsWith(in))
			throw new IllegalArgumentException("output folder " + outputDir + (out.equals(in) ? " is" : " is inside")
				+ " the input folder " + inputDir + "; choose another output folder (or allow it explicitly: "
				+ "--allow-output-in-input, allow_output_in_input in Fiji)");
	}

	/** The path with symbolic links resolved as far as it exists, so that two names of one folder compare equal. */
	public static Path canonical(Path p) {
		Path abs = p.toAbsolutePath().normalize();
		Path existing = abs;
		while (existing != null && !Files.exists(existing)) existing = existing.getParent();
		if (existing == null) return abs;
		try {
			return existing.toRealPath().resolve(existing.relativize(abs));
		} catch (IOException e) {
			return abs;
		}
	}

	/** True if {@code output} names the file {@code input} (then writing it would destroy the input). */
	public static boolean sameFile(Path input, Path output) {
		return canonical(input).equals(canonical(output));
	}

	public Path outputDir() {
		return outputDir;
	}

	/** Image files to process, sorted, relative to the input folder. Hidden and partial files are ignored. */
	public List<Path> inputs() throws IOException {
		PathMatcher glob = pattern.isEmpty() ? null : FileSystems.getDefault().getPathMatcher("glob:" + pattern);
		List<Path> files = new ArrayList<>();
		try (Stream<Path> s = recursive ? Files.walk(inputDir) : Files.list(inputDir)) {
			s.filter(Files::isRegularFile).forEach(p -> {
				Path name = p.getFileName();
				if (name.toString().startsWith(".")) return;
				if (p.toAbsolutePath().normalize().startsWith(outputDir) && !outputDir.equals(inputDir)) return;
				boolean match = glob != null ? glob.matches(name)
					: ImageFiles.IMAGE_EXTENSIONS.contains(FileNames.extension(p));
				if (match) files.add(inputDir.relativize(p));
			});
		}
		files.sort(null);
		return files;
	}

	/**
	 * Processes every input. Never throws for a single bad file; the returned list has one item per input
	 * (those after a cancel are {@link BatchItem.Status#CANCELLED}).
	 */
	public List<BatchItem> run(Job job, Outputs outputs, Listener listener, BooleanSupplier cancelled)
		throws IOException {
		return process(inputDir, inputs(), overwrite, job, outputs, listener, cancelled);
	}

	/**
	 * Processes a given list of inputs with the same rules as a folder batch (skip finished work, record
	 * failures and go on, stop between files on cancel).
	 *
	 * @param base folder the inputs are relative to, or null when they are paths in their own right (then each
	 *        item and its outputs are named by the input's file name alone)
	 */
	public static List<BatchItem> process(Path base, List<Path> inputs, boolean overwrite, Job job, Outputs outputs,
		Listener listener, BooleanSupplier cancelled) {
		List<BatchItem> items = new ArrayList<>();
		for (int i = 0; i < inputs.size(); i++) {
			// without a base folder, outputs go flat into the output folder under the input's file name
			Path input = base == null ? inputs.get(i) : base.resolve(inputs.get(i));
			Path rel = base == null ? inputs.get(i).getFileName() : inputs.get(i);
			BatchItem item;
			if (cancelled.getAsBoolean()) item = new BatchItem(rel, BatchItem.Status.CANCELLED, 0, "batch cancelled");
			else item = processOne(input, rel, overwrite, job, outputs);
			items.add(item);
			listener.itemFinished(item, i + 1, inputs.size());
		}
		return items;
	}

	private static BatchItem processOne(Path input, Path rel, boolean overwrite, Job job, Outputs outputs) {
		long t0 = System.nanoTime();
		List<Path> planned = outputs.of(rel);
		if (planned.stream().anyMatch(out -> sameFile(input, out)))
			return new BatchItem(rel, BatchItem.Status.FAILED, 0, "its output would replace the input file " + input
				+ "; choose another output folder or format");
		if (!overwrite) {
			List<Path> existing = planned.stream().filter(Files::exists).toList();
			if (!existing.isEmpty() && existing.size() == planned.size())
				return new BatchItem(rel, BatchItem.Status.SKIPPED, 0, "output exists: " + existing.get(0));
		}
		try {
			String note = job.processAndNote(input, rel);
			return new BatchItem(rel, BatchItem.Status.DONE, seconds(t0), note == null ? "" : note);
		} catch (CancellationException e) {
			return new BatchItem(rel, BatchItem.Status.CANCELLED, seconds(t0), "cancelled while processing");
		} catch (Exception | OutOfMemoryError e) {
			return new BatchItem(rel, BatchItem.Status.FAILED, seconds(t0), UserMessages.describe(e));
		}
	}

	private static double seconds(long t0) {
		return (System.nanoTime() - t0) / 1e9;
	}

	/** Writes the report as CSV ({@code file,status,seconds,message}), atomically, replacing an older report. */
	public static void writeCsv(List<BatchItem> items, Path csv) throws IOException {
		StringBuilder b = new StringBuilder("file,status,seconds,message\n");
		for (BatchItem it : items)
			b.append(csvField(it.file().toString())).append(',').append(it.status().id()).append(',')
				.append(String.format(Locale.ROOT, "%.3f", it.seconds())).append(',').append(csvField(it.message()))
				.append('\n');
		byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
		AtomicFiles.write(csv, true, out -> out.write(bytes));
	}

	/** One line such as "12 done, 3 skipped, 1 failed". */
	public static String summary(List<BatchItem> items) {
		return summary(s -> items.stream().filter(i -> i.status() == s).count());
	}

	/** One line such as "12 done, 3 skipped, 1 failed" from the number of items of each status. */
	public static String summary(java.util.function.ToLongFunction<BatchItem.Status> count) {
		StringBuilder b = new StringBuilder();
		for (BatchItem.Status s : BatchItem.Status.values()) {
			long n = count.applyAsLong(s);
			if (n > 0 || s == BatchItem.Status.DONE) b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(s.id());
		}
		return b.toString();
	}

	public static String csvField(String s) {
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}
}
