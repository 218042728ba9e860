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

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		Shape s = x.getShape();
		// statistics over the flattened plane (DJL's PyTorch mean reduces one axis at a time)
		NDArray planes = x.reshape(s.get(0), s.get(1), -1);
		NDArray centred = planes.sub(planes.mean(new int[] {2}, true));
		NDArray variance = centred.square().mean(new int[] {2}, true);
		return new NDList(centred.div(variance.addi(EPS).sqrt()).reshape(s));
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return inputShapes;
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
