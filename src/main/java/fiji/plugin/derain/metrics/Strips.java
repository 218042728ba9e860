package fiji.plugin.derain.metrics;

import java.util.stream.IntStream;

/**
 * Runs row-strip tasks in parallel (common fork-join pool) and adds their partial sums in strip
 * order. The strip layout depends only on the image height, never on the number of threads, so a
 * result is bit-for-bit the same on any machine.
 */
final class Strips {
	/** Output rows per task: large enough that a Gaussian window's 10 overlap rows cost little. */
	static final int ROWS = 128;

	private Strips() {}

	interface Task {
		/** Partial sums for rows [from, to); every call returns an array of the same length. */
		double[] run(int from, int to, boolean last);
	}

	/** Splits rows [0, rows) into strips of {@link #ROWS}, runs them, returns the summed partials. */
	static double[] sum(int rows, Task task) {
		int n = Math.max(1, (rows + ROWS - 1) / ROWS);
		double[][] parts = IntStream.range(0, n).parallel()
			.mapToObj(i -> task.run(i * ROWS, Math.min(rows, (i + 1) * ROWS), i == n - 1))
			.toArray(double[][]::new);
		double[] total = parts[0].clone();
		for (int i = 1; i < n; i++)
			for (int k = 0; k < total.length; k++)
				total[k] += parts[i][k];
		return total;
	}
}
