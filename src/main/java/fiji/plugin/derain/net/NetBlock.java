package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.util.Map;

/**
 * Base of the network's blocks. Two things every block shares:
 * <ul>
 * <li>Temporaries are freed as soon as the block returns: {@link #forwardScoped} runs in a sub-manager
 * of the inputs' manager and only the outputs are attached back to the caller's manager. Without
 * this a whole forward pass would keep every intermediate activation until the caller closes its
 * manager (hundreds of MB at 1024×768), and freshly allocated memory is slow on these machines.
 * Autograd is unaffected for memory libtorch allocated: PyTorch keeps what it saved for the backward
 * pass alive itself. Arrays made from Java data are the exception: build them with {@link #constant}.</li>
 * <li>Every parameter has a fixed shape given at construction (no shape inference), and the block
 * reports its state under GT-RAIN's state-dict names via {@link #collectState}.</li>
 * </ul>
 */
abstract class NetBlock extends AbstractBlock {

	@Override
	protected final NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
		PairList<String, Object> params)
	{
		NDManager caller = inputs.head().getManager();
		try (NDManager scope = caller.newSubManager()) {
			scope.tempAttachAll(inputs);
			NDList out = forwardScoped(scope, ps, inputs, training);
			out.attach(caller);
			return out;
		}
	}

	/**
	 * The block's computation. {@code scope} owns the inputs for the duration of the call and every
	 * array derived from them; arrays derived from a parameter (e.g. a reshaped weight) land in the
	 * parameter's manager and must be attached to {@code scope} explicitly.
	 */
	protected abstract NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training);

	/** Puts this block's state tensors into {@code out} under {@code prefix + "." + name}, in state-dict order. */
	abstract void collectState(String prefix, Map<String, Parameter> out);

	/** Parameter shapes are fixed at construction, so children need no shape inference. */
	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		for (Pair<String, Block> child : children) child.getValue().initialize(manager, dataType, inputShapes);
	}

	/** Registers a parameter of fixed {@code shape}. */
	protected final Parameter parameter(String name, Parameter.Type type, Initializer init, boolean trainable,
		long... shape)
	{
		return addParameter(Parameter.builder().setName(name).setType(type).optShape(new Shape(shape))
			.optInitializer(init).optRequiresGrad(trainable).build());
	}

	/**
	 * Copies {@code weights[name]} into the array of {@code state[name]} for every name of {@code state},
	 * converting the data type if needed. The arrays are written in place ({@code set(Buffer)}, outside
	 * autograd), so parameters stay the same gradient-requiring leaves.
	 */
	static void copyState(Map<String, Parameter> state, Map<String, NDArray> weights) {
		for (Map.Entry<String, Parameter> e : state.entrySet()) {
			NDArray dst = e.getValue().getArray();
			NDArray src = weights.get(e.getKey());
			if (src == null) throw new IllegalArgumentException("no tensor named " + e.getKey());
			try (NDManager tmp = NDManager.subManagerOf(src)) {
				NDArray converted = src.toType(dst.getDataType(), true);
				converted.attach(tmp);
				dst.set(converted.toByteBuffer());
			}
		}
	}

	/**
	 * {@code data} as a 1-D int64 array in {@code manager}, in memory that libtorch owns (see
	 * {@link #constant(NDManager, float[], Shape)}); for index arrays of gathers.
	 */
	static NDArray constant(NDManager manager, long[] data) {
		return owned(manager.create(data));
	}

	/**
	 * {@code data} as a float32 array of {@code shape} in {@code manager}, in memory that libtorch owns.
	 * <p>
	 * Why not plain {@code manager.create}: on the CPU, DJL's PyTorch engine wraps such an array around a
	 * direct buffer that only the Java array object keeps alive ({@code torch::from_blob}, no deleter).
	 * Autograd saves gather indices and the other factor of a product for the backward pass; once the
	 * block's scope closes the Java array, the next GC frees the buffer while autograd still points at it,
	 * and backward reads freed memory (e.g. "index 140176947962736 is out of bounds for dimension 0").
	 */
	static NDArray constant(NDManager manager, float[] data, Shape shape) {
		return owned(manager.create(data, shape));
	}

	/**
	 * {@code a · factor}, a new array in the manager of {@code a}. Use this instead of {@code a.mul(Number)}
	 * on arrays that autograd tracks: DJL turns the number into a one-element array from Java data (see
	 * {@link #constant(NDManager, float[], Shape)}) and closes it at once, while autograd keeps it as the
	 * other factor for the backward pass.
	 */
	static NDArray scale(NDArray a, float factor) {
		try (NDArray f = constant(a.getManager(), new float[] {factor}, new Shape())) {
			return a.mul(f);
		}
	}

	/** A libtorch-allocated copy of {@code fromJava} in its manager; {@code fromJava} is closed. */
	private static NDArray owned(NDArray fromJava) {
		try (NDArray wrapped = fromJava) {
			return wrapped.duplicate();
		}
	}

	static void put(Map<String, Parameter> out, String name, Parameter p) {
		if (p != null) out.put(name, p);
	}
}
