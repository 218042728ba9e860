package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays that autograd may keep for the backward pass, made safe.
 * <p>
 * On the CPU, DJL 0.36's PyTorch engine wraps an array created from Java data ({@code manager.create(...)})
 * around a direct buffer that only the Java array object keeps alive ({@code torch::from_blob}, no deleter),
 * and {@code a.mul(Number)} / {@code a.div(Number)} turn the number into such an array and close it at once.
 * Autograd saves gather indices and the other factor of a product or quotient; after the Java side is closed,
 * the next GC frees the buffer while autograd still points at it, and the backward pass reads freed memory
 * (garbage indices such as "index 140176947962736 is out of bounds", or silently wrong gradients). These helpers
 * copy such data into memory that libtorch owns.
 */
public final class TorchArrays {
	private TorchArrays() {}

	/** {@code data} as an int64 array in {@code manager}, owned by libtorch (e.g. gather indices). */
	public static NDArray constant(NDManager manager, long[] data) {
		return owned(manager.create(data));
	}

	/** {@code data} as a float32 array of {@code shape} in {@code manager}, owned by libtorch. */
	public static NDArray constant(NDManager manager, float[] data, Shape shape) {
		return owned(manager.create(data, shape));
	}

	/** {@code a · factor}; use instead of {@code a.mul(Number)} on arrays autograd tracks. */
	public static NDArray scale(NDArray a, double factor) {
		try (NDArray f = scalar(a, factor)) {
			return a.mul(f);
		}
	}

	/** {@code a / divisor}; use instead of {@code a.div(Number)} on arrays autograd tracks. */
	public static NDArray divide(NDArray a, double divisor) {
		try (NDArray d = scalar(a, divisor)) {
			return a.div(d);
		}
	}

	/** {@code max(a, floor)} element-wise; use instead of {@code a.maximum(Number)} on tracked arrays. */
	public static NDArray atLeast(NDArray a, double floor) {
		try (NDArray f = scalar(a, floor)) {
			return a.maximum(f);
		}
	}

	private static NDArray scalar(NDArray like, double value) {
		return constant(like.getManager(), new float[] {(float) value}, new Shape()).toType(like.getDataType(), false);
	}

	/** A libtorch-allocated copy of {@code fromJava} in its manager; {@code fromJava} is closed. */
	private static NDArray owned(NDArray fromJava) {
		try (NDArray wrapped = fromJava) {
			return wrapped.duplicate();
		}
	}
}
