package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * GT-RAIN's conv block: reflect-pad k/2 → k×k conv (stride 1 or 2) → norm → activation. State names
 * follow GT-RAIN's {@code nn.Sequential}: {@code <prefix>.1.*} the conv, {@code <prefix>.2.*} the norm.
 * The conv has a bias only with instance norm (BatchNorm's shift makes it redundant). The output layer
 * ({@link #output}) is the same pattern without norm, with bias and tanh.
 */
final class ConvNormAct extends NetBlock {
	/** Reflection padding of kernel/2. */
	final ReflectionPad2d pad;
	/** The convolution ({@code .1}). */
	final Conv2dLayer conv;
	/** BatchNorm2d, InstanceNorm2d, or null for the output layer ({@code .2}). */
	final NetBlock norm;
	/** Activation after the norm. */
	final ActivationBlock act;

	private ConvNormAct(Conv2dLayer conv, NetBlock norm, ActivationBlock act) {
		this.pad = addChildBlock("pad", new ReflectionPad2d(conv.kernel / 2));
		this.conv = addChildBlock("conv", conv);
		this.norm = norm == null ? null : addChildBlock("norm", norm);
		this.act = addChildBlock("act", act);
	}

	/** pad → conv (in → out, k×k, stride) → norm → activation, all as {@code config} says. */
	ConvNormAct(int in, int out, int kernel, int stride, DerainConfig config) {
		this(new Conv2dLayer(in, out, kernel, stride, config.norm() == DerainConfig.Norm.INSTANCE,
			Initializers.convWeight(config.init()), Initializers.ZEROS), norm(out, config), ActivationBlock.of(config.activation()));
	}

	/** GT-RAIN's {@code output_conv_naive}: reflect-pad 1 → 3×3 conv in → 3 with bias → tanh. */
	static ConvNormAct output(int in, DerainConfig config) {
		return new ConvNormAct(new Conv2dLayer(in, 3, 3, 1, true, Initializers.convWeight(config.init()), Initializers.ZEROS),
			null, new ActivationBlock(ActivationBlock.Kind.TANH));
	}

	static NetBlock norm(int channels, DerainConfig config) {
		return config.norm() == DerainConfig.Norm.BATCH ? new BatchNorm2d(channels, Initializers.BATCH_NORM_WEIGHT)
			: new InstanceNorm2d();
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		return chain(ps, inputs, training, pad, conv, norm, act);
	}

	/** Convenience for single-array callers. */
	NDArray forward(ParameterStore ps, NDArray x, boolean training) {
		return forward(ps, new NDList(x), training).singletonOrThrow();
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return conv.getOutputShapes(pad.getOutputShapes(inputShapes));
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {
		conv.collectState(prefix + ".1", state);
		if (norm != null) norm.collectState(prefix + ".2", state);
	}
}
