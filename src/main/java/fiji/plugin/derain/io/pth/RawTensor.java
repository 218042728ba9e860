package fiji.plugin.derain.io.pth;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A tensor as a checkpoint stores it: a view (shape, strides in elements, storage offset in elements) of a
 * typed storage that other tensors may share. Nothing is copied until {@link #toFloats()} or
 * {@link #toLongs()}, which return a new row-major (C order, last axis fastest) array owned by the caller.
 * Shape and extent were checked against the storage bytes when the tensor was read, so the conversions
 * cannot read past the data. Immutable and safe to share between threads.
 */
public final class RawTensor {
	private final Storage storage;
	private final long offset;
	private final long[] shape;
	private final long[] stride;
	private final long numel;

	private RawTensor(Storage storage, long offset, long[] shape, long[] stride, long numel) {
		this.storage = storage;
		this.offset = offset;
		this.shape = shape;
		this.stride = stride;
		this.numel = numel;
	}

	/**
	 * A view of {@code storage}, after checking that every element it addresses lies in the storage bytes.
	 *
	 * @param source the checkpoint, for messages
	 * @throws CheckpointException if the view is malformed or reaches past the storage
	 */
	static RawTensor view(Storage storage, long offset, long[] shape, long[] stride, String source)
		throws CheckpointException
	{
		String what = source + ": tensor on storage data/" + storage.key;
		if (shape.length != stride.length)
			throw new CheckpointException(what + " has " + shape.length + " sizes but " + stride.length + " strides");
		if (offset < 0) throw new CheckpointException(what + " has a negative storage offset " + offset);
		long numel = 1;
		long last = offset;
		try {
			for (int d = 0; d < shape.length; d++) {
				if (shape[d] < 0 || stride[d] < 0)
					throw new CheckpointException(what + " has size " + Arrays.toString(shape) + " and stride "
						+ Arrays.toString(stride) + "; negative values are not valid");
				numel = Math.multiplyExact(numel, shape[d]);
				if (shape[d] > 0) last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
			}
			if (numel > 0) {
				long needed = Math.multiplyExact(last + 1, (long) storage.dtype.size);
				long has = storage.data().capacity();
				if (needed > has)
					throw new CheckpointException(source + ": storage data/" + storage.key + " is truncated: needs "
						+ needed + " bytes, file has " + has);
			}
		} catch (ArithmeticException e) {
			throw new CheckpointException(what + " has an impossible size " + Arrays.toString(shape), e);
		}
		return new RawTensor(storage, offset, shape.clone(), stride.clone(), numel);
	}

	/** Torch dtype name: float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 or bool. */
	public String dtype() {
		return storage.dtype.torchName;
	}

	/** True for float32, float64, float16 and bfloat16. */
	public boolean isFloatingPoint() {
		return storage.dtype.floatingPoint;
	}

	/** Sizes, outermost axis first; empty for a scalar. A copy. */
	public long[] shape() {
		return shape.clone();
	}

	/** Strides in elements, one per axis. A copy. */
	public long[] stride() {
		return stride.clone();
	}

	/** Index, in elements, of this view's first element in its storage. */
	public long storageOffset() {
		return offset;
	}

	/** Name of the storage entry ({@code <root>/data/<key>}); views of one storage share it. */
	public String storageKey() {
		return storage.key;
	}

	/** Number of elements (1 for a scalar, 0 if any size is 0). */
	public long numel() {
		return numel;
	}

	/**
	 * The elements in row-major order as floats: float16 and bfloat16 exactly, float64 rounded to nearest,
	 * integers and bool (0/1) converted as by a Java cast.
	 *
	 * @throws IllegalStateException if the tensor has more elements than a Java array can hold
	 */
	public float[] toFloats() {
		float[] out = new float[arrayLength()];
		if (storage.dtype == TorchDtype.FLOAT32 && isContiguous()) {
			// the common case (every weight of a state_dict): one bulk copy
			ByteBuffer bytes = storage.data().duplicate().order(storage.data().order());
			FloatBuffer floats = bytes.asFloatBuffer();
			floats.position((int) offset);
			floats.get(out);
			return out;
		}
		TorchDtype dtype = storage.dtype;
		ByteBuffer data = storage.data();
		walk((i, at) -> out[i] = dtype.floatAt(data, at));
		return out;
	}

	/**
	 * The elements in row-major order, exactly, for integer tensors (int64, int32, int16, int8, uint8)
	 * and bool (0/1).
	 *
	 * @throws IllegalStateException for a floating-point tensor, or one too large for a Java array
	 */
	public long[] toLongs() {
		if (isFloatingPoint())
			throw new IllegalStateException("toLongs needs an integer tensor, this one is " + dtype());
		long[] out = new long[arrayLength()];
		TorchDtype dtype = storage.dtype;
		ByteBuffer data = storage.data();
		walk((i, at) -> out[i] = dtype.longAt(data, at));
		return out;
	}

	/** True if the elements lie in the storage in row-major order without gaps. */
	public boolean isContiguous() {
		if (numel == 0) return true;
		long expected = 1;
		for (int d = shape.length - 1; d >= 0; d--) {
			if (shape[d] != 1 && stride[d] != expected) return false;
			expected *= shape[d];
		}
		return true;
	}

	@Override
	public String toString() {
		return "RawTensor[" + dtype() + " " + Arrays.toString(shape) + ", storage " + storage.key + "]";
	}

	private int arrayLength() {
		if (numel > Integer.MAX_VALUE - 8)
			throw new IllegalStateException("tensor " + Arrays.toString(shape) + " has too many elements for a Java array");
		return (int) numel;
	}

	private interface ElementVisitor {
		void visit(int outIndex, int storageIndex);
	}

	/** Visits every element in row-major order with its storage index (an odometer over the outer axes). */
	private void walk(ElementVisitor visitor) {
		if (numel == 0) return;
		int dims = shape.length;
		if (dims == 0) {
			visitor.visit(0, (int) offset);
			return;
		}
		int inner = dims - 1;
		long innerSize = shape[inner];
		long innerStride = stride[inner];
		long[] counter = new long[dims];
		long base = offset;
		int out = 0;
		while (true) {
			for (long i = 0; i < innerSize; i++)
				visitor.visit(out++, (int) (base + i * innerStride));
			int d = inner - 1;
			for (; d >= 0; d--) {
				counter[d]++;
				base += stride[d];
				if (counter[d] < shape[d]) break;
				base -= counter[d] * stride[d];
				counter[d] = 0;
			}
			if (d < 0) return;
		}
	}
}
