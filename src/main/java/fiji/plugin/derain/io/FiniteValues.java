package fiji.plugin.derain.io;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * Finds NaN and infinite values: in weights, which a damaged file or a diverged training run leaves behind and which
 * shapes cannot catch (refused at import, load and save), and in what a network computes from them.
 */
public final class FiniteValues {
	private FiniteValues() {}

	/**
	 * Throws naming {@code source} and the first tensor holding NaN or infinite values.
	 *
	 * @param source the file (or "the weights to save") for the message
	 * @throws IllegalArgumentException see {@link #message}
	 */
	public static void requireFinite(Map<String, NDArray> weights, String source) {
		for (Map.Entry<String, NDArray> e : weights.entrySet()) {
			long bad = countNonFinite(e.getValue());
			if (bad > 0) throw new IllegalArgumentException(message(source, e.getKey(), bad));
		}
	}

	/**
	 * How many values of a float tensor are NaN or infinite (0 for integer tensors). Float32 and float64 are counted
	 * from their values in Java, so that arrays of a manager without an engine (an import, which runs no network)
	 * can be checked too.
	 */
	public static long countNonFinite(NDArray a) {
		switch (a.getDataType()) {
			case FLOAT32:
				return countNonFinite(a.toFloatArray());
			case FLOAT64:
				return java.util.Arrays.stream(a.toDoubleArray()).filter(v -> !Double.isFinite(v)).count();
			default:
				return a.getDataType().isFloating() ? countWithEngine(a) : 0;
		}
	}

	private static long countWithEngine(NDArray a) {
		try (NDArray nan = a.isNaN(); NDArray inf = a.isInfinite(); NDArray either = nan.logicalOr(inf);
			NDArray count = either.countNonzero()) {
			return count.getLong();
		}
	}

	/** How many values are NaN or infinite. */
	public static long countNonFinite(float[] values) {
		long bad = 0;
		for (float v : values)
			if (!Float.isFinite(v)) bad++;
		return bad;
	}

	/** The one line for a tensor with {@code count} non-finite values. */
	public static String message(String source, String tensor, long count) {
		return source + ": tensor '" + tensor + "' holds " + count + " NaN/Inf value" + (count == 1 ? "" : "s")
			+ "; the checkpoint is damaged or the training diverged";
	}
}
