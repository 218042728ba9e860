package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.TorchArrays;

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
 * pass alive itself. Arrays made from Java data are the exception: build them with {@link fiji.plugin.derain.tensor.TorchArrays}.</li>
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

	/**
	 * Runs {@code blocks} (nulls skipped) in turn on {@code inputs} and closes each intermediate result as soon as the
	 * next block has consumed it, never the inputs nor an array that a block passed through: a chain holds two of its
	 * activations at a time rather than all of them until the enclosing scope closes (at 12000 pixels wide a band's
	 * activation is 50–200 MB). Autograd keeps what it saved for the backward pass itself.
	 */
	static NDList chain(ParameterStore ps, NDList inputs, boolean training, NetBlock... blocks) {
		NDList y = inputs;
		for (NetBlock b : blocks) {
			if (b == null) continue;
			NDList next = b.forward(ps, y, training);
			if (y != inputs) release(y, next, inputs);
			y = next;
		}
		return y;
	}

	/** Closes the arrays of {@code used} that are in none of {@code kept} (compared by identity). */
	static void release(NDList used, NDList... kept) {
		for (NDArray a : used) {
			boolean keep = false;
			for (NDList k : kept)
				for (NDArray b : k) keep |= a == b;
			if (!keep) a.close();
		}
	}

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
	 * converting the data type if needed. The arrays are written in place by libtorch, outside autograd
	 * ({@link TorchArrays#copyInto}), so parameters stay the same gradient-requiring leaves and keep their
	 * libtorch-owned storage.
	 */
	static void copyState(Map<String, Parameter> state, Map<String, NDArray> weights) {
		for (Map.Entry<String, Parameter> e : state.entrySet()) {
			NDArray dst = e.getValue().getArray();
			NDArray src = weights.get(e.getKey());
			if (src == null) throw new IllegalArgumentException("no tensor named " + e.getKey());
			try (NDArray converted = src.toType(dst.getDataType(), true)) {
				TorchArrays.copyInto(dst, converted);
			}
		}
	}

	static void put(Map<String, Parameter> out, String name, Parameter p) {
		if (p != null) out.put(name, p);
	}
}
