package fiji.plugin.derain.train;

import fiji.plugin.derain.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * {@code training-steps.csv} in the run's folder: one row per optimizer step — step (counted from 1), epoch, learning
 * rate, loss, the step's wall time and the process's resident memory — so that a long run's speed and memory can be
 * watched while it goes and plotted after. Rows are appended and flushed as steps end; a resumed run first drops the
 * rows of steps after its checkpoint, which it takes again.
 */
final class StepLog implements Closeable {
	static final String FILE = "training-steps.csv";
	static final String HEADER = "step,epoch,lr,loss,seconds,rss_mb";

	private final BufferedWriter out;

	private StepLog(BufferedWriter out) {
		this.out = out;
	}

	/** Opens the log of the run in {@code folder} that has taken {@code completedSteps} steps (0 for a new run). */
	static StepLog open(Path folder, long completedSteps) throws IOException {
		Path file = folder.resolve(FILE);
		StringBuilder kept = new StringBuilder(HEADER).append('\n');
		if (completedSteps > 0 && Files.exists(file)) {
			List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
			for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
				int comma = line.indexOf(',');
				if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= completedSteps) kept.append(line).append('\n');
			}
		}
		byte[] bytes = kept.toString().getBytes(StandardCharsets.UTF_8);
		AtomicFiles.write(file, true, o -> o.write(bytes));
		return new StepLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
	}

	void append(DerainTrainer.StepResult r, double seconds, long residentBytes) throws IOException {
		out.write(String.format(Locale.ROOT, "%d,%d,%.6g,%.6f,%.3f,%s%n", r.step() + 1, r.epoch(), r.learningRate(),
			r.total(), seconds, residentBytes < 0 ? "" : Long.toString(residentBytes >> 20)));
		out.flush();
	}

	@Override
	public void close() throws IOException {
		out.close();
	}
}
