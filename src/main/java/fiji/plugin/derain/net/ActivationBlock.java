package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/** Element-wise activation: LeakyReLU(0.1), Mish (x·tanh(softplus(x))) or tanh (the output layer). */
final class ActivationBlock extends NetBlock {
	static final float LEAKY_SLOPE = 0.1f;

	enum Kind {
		LEAKY, MISH, TANH
	}

	final Kind kind;

	ActivationBlock(Kind kind) {
		this.kind = kind;
	}

	static ActivationBlock of(DerainConfig.Activation activation) {
		return new ActivationBlock(activation == DerainConfig.Activation.MISH ? Kind.MISH : Kind.LEAKY);
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		return new NDList(apply(kind, inputs.singletonOrThrow()));
	}

	static NDArray apply(Kind kind, NDArray x) {
		switch (kind) {
			case LEAKY:
				return Activation.leakyRelu(x, LEAKY_SLOPE);
			case MISH:
				// libtorch's softplus switches to the identity above 20, so large inputs stay finite
				return x.mul(Activation.softPlus(x).tanh());
			case TANH:
				return x.tanh();
			default:
				throw new IllegalArgumentException("unknown activation " + kind);
		}
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return inputShapes;
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
