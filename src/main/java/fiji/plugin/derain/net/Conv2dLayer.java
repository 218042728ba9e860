package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

import java.util.Map;

/**
 * A square convolution with padding 0 (the network pads by reflection before each conv) and fixed
 * channel counts: weight (out, in, k, k), optional bias (out). NCHW in and out.
 */
final class Conv2dLayer extends NetBlock {
	final int in, out, kernel, stride;
	/** (out, in, k, k). */
	final Parameter weight;
	/** (out), or null without bias. */
	final Parameter bias;

	Conv2dLayer(int in, int out, int kernel, int stride, boolean bias, Initializer weightInit, Initializer biasInit) {
		this.in = in;
		this.out = out;
		this.kernel = kernel;
		this.stride = stride;
		this.weight = parameter("weight", Parameter.Type.WEIGHT, weightInit, true, out, in, kernel, kernel);
		this.bias = bias ? parameter("bias", Parameter.Type.BIAS, biasInit, true, out) : null;
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		return new NDList(apply(x, weight(ps, x, training), bias(ps, x, training)));
	}

	/** The weight as {@code ps} gives it for {@code x}'s device. */
	NDArray weight(ParameterStore ps, NDArray x, boolean training) {
		return ps.getValue(weight, x.getDevice(), training);
	}

	/** The bias as {@code ps} gives it for {@code x}'s device, or null without one. */
	NDArray bias(ParameterStore ps, NDArray x, boolean training) {
		return bias == null ? null : ps.getValue(bias, x.getDevice(), training);
	}

	/** This layer's convolution (its stride, no padding) of {@code x} with the given weight and bias (or null). */
	NDArray apply(NDArray x, NDArray w, NDArray b) {
		return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), out, (s.get(2) - kernel) / stride + 1, (s.get(3) - kernel) / stride + 1)};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {
		put(state, prefix + ".weight", weight);
		put(state, prefix + ".bias", bias);
	}
}
