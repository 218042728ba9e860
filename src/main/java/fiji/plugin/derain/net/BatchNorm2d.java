package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

import java.util.Map;

/**
 * PyTorch's {@code BatchNorm2d(channels)}: eps 1e-5, momentum 0.1. In training mode it normalises with
 * the batch statistics and updates the running mean and the unbiased running variance in place
 * (and counts the batch in {@code num_batches_tracked}); in eval mode it uses the running statistics.
 */
final class BatchNorm2d extends NetBlock {
	static final float EPS = 1e-5f;
	/** PyTorch's momentum 0.1; DJL's batchNorm takes 1 − momentum (MXNet convention). */
	static final float DJL_MOMENTUM = 0.9f;

	final int channels;
	final Parameter weight, bias, runningMean, runningVar;
	/** int64 scalar, incremented once per training forward. */
	final Parameter numBatchesTracked;
	/**
	 * True while a training forward pass is replayed (gradient checkpointing): the output is computed as in
	 * training mode, but the running statistics and the counter are left as they are.
	 */
	boolean replaying;

	BatchNorm2d(int channels, Initializer weightInit) {
		this.channels = channels;
		weight = parameter("weight", Parameter.Type.GAMMA, weightInit, true, channels);
		bias = parameter("bias", Parameter.Type.BETA, Initializers.ZEROS, true, channels);
		runningMean = parameter("running_mean", Parameter.Type.RUNNING_MEAN, Initializers.ZEROS, false, channels);
		runningVar = parameter("running_var", Parameter.Type.RUNNING_VAR, Initializers.ONES, false, channels);
		numBatchesTracked = parameter("num_batches_tracked", Parameter.Type.OTHER,
			(manager, shape, dataType) -> manager.zeros(new Shape(), DataType.INT64), false);
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		NDArray mean = value(ps, runningMean, x, training), var = value(ps, runningVar, x, training);
		boolean replay = training && replaying;
		if (replay) { // the batch statistics update throwaway copies
			mean = mean.duplicate();
			var = var.duplicate();
			mean.attach(scope);
			var.attach(scope);
		}
		NDList y = BatchNorm.batchNorm(x, mean, var, value(ps, weight, x, training), value(ps, bias, x, training), 1,
			DJL_MOMENTUM, EPS, training);
		if (training && !replay) numBatchesTracked.getArray().addi(1);
		return y;
	}

	private static NDArray value(ParameterStore ps, Parameter p, NDArray x, boolean training) {
		return ps.getValue(p, x.getDevice(), training);
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return inputShapes;
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {
		put(state, prefix + ".weight", weight);
		put(state, prefix + ".bias", bias);
		put(state, prefix + ".running_mean", runningMean);
		put(state, prefix + ".running_var", runningVar);
		put(state, prefix + ".num_batches_tracked", numBatchesTracked);
	}
}
