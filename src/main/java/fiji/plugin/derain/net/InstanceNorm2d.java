package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * PyTorch's {@code InstanceNorm2d(channels, affine=False)}: each (sample, channel) plane normalised by its
 * own mean and biased variance, eps 1e-5, the same in training and eval mode; no parameters, no state.
 */
final class InstanceNorm2d extends NetBlock {
	static final float EPS = 1e-5f;
	private static final int[] PLANE = {2, 3};

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		NDArray centred = x.sub(x.mean(PLANE, true));
		NDArray variance = centred.square().mean(PLANE, true);
		return new NDList(centred.div(variance.add(EPS).sqrt()));
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return inputShapes;
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
