package fiji.plugin.derain.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;

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
	 * How many values of a float tensor are NaN or infinite (0 for integer tensors). Arrays of a manager without an
	 * engine (an import, which runs no network) are counted from their values in Java.
	 */
	public static long countNonFinite(NDArray a) {
		if (!a.getDataType().isFloating()) return 0;
		if (a instanceof PtNDArray) return countWithEngine(a);
		switch (a.getDataType()) {
			case FLOAT32:
				return countNonFinite(a.toFloatArray());
			case FLOAT64:
				return java.util.Arrays.stream(a.toDoubleArray()).filter(v -> !Double.isFinite(v)).count();
			default:
				throw new IllegalArgumentException("cannot check " + a.getDataType() + " values without the engine");
		}
	}

	private static long countWithEngine(NDArray a) {
		// fast path: a sum of finite values is finite unless it overflows, which the exact count below then clears
		try (NDArray sum = a.sum(); NDArray asDouble = sum.toType(DataType.FLOAT64, false)) {
			if (Double.isFinite(asDouble.getDouble())) return 0;
		}
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
