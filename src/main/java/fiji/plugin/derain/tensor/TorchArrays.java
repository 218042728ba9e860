package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Arrays whose memory libtorch owns, for everything autograd may keep and every buffer that outlives a step.
 * <p>
 * On the CPU, DJL 0.36's PyTorch engine wraps an array created from Java data ({@code manager.create(...)})
 * around a direct buffer that only the Java array object keeps alive ({@code torch::from_blob}, no deleter),
 * and {@code a.mul(Number)} / {@code a.div(Number)} turn the number into such an array and close it at once.
 * Autograd saves gather indices and the other factor of a product or quotient; once the Java side is closed,
 * the next GC frees the buffer while autograd still points at it, and the backward pass reads freed memory —
 * garbage indices ("index 140176947962736 is out of bounds") or silently wrong gradients
 * ({@code FreedMemoryStressTest} makes this visible). These helpers copy such data with {@code duplicate()},
 * which is libtorch's {@code clone}. Two look-alikes are traps: DJL's {@code copyTo(dst)} and {@code set(Buffer)}
 * replace the target's storage with a Java direct buffer that only the target's Java object keeps alive, and
 * {@code toType(sameType, true)} returns an alias, not a copy.
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

	/**
	 * Overwrites the values of {@code dst} with those of {@code src} (same shape and data type) in place, outside
	 * autograd: {@code dst} keeps its storage (no {@code set(Buffer)}, which would swap it for a Java buffer) and
	 * stays the same gradient-requiring leaf.
	 */
	public static void copyInto(NDArray dst, NDArray src) {
		if (!dst.getShape().equals(src.getShape()) || dst.getDataType() != src.getDataType())
			throw new IllegalArgumentException("cannot copy " + src.getDataType() + " " + src.getShape() + " into "
				+ dst.getDataType() + " " + dst.getShape());
		try (NDArray alias = dst.stopGradient()) {
			JniUtils.indexAdvPut((PtNDArray) alias, new NDIndex("..."), (PtNDArray) src);
		}
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

	/** {@code min(a, ceiling)} elementwise. */
	public static NDArray atMost(NDArray a, double ceiling) {
		try (NDArray c = scalar(a, ceiling)) {
			return a.minimum(c);
		}
	}

	private static NDArray scalar(NDArray like, double value) {
		try (NDArray f = constant(like.getManager(), new float[] {(float) value}, new Shape())) {
			return f.toType(like.getDataType(), true); // libtorch memory either way: a converted copy or an alias
		}
	}

	/** A libtorch-allocated copy of {@code fromJava} in its manager; {@code fromJava} is closed. */
	private static NDArray owned(NDArray fromJava) {
		try (NDArray wrapped = fromJava) {
			return wrapped.duplicate();
		}
	}
}
