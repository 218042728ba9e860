package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * GT-RAIN's residual block: {@code x + [pad 1, deform conv, norm, act, pad 1, deform conv, norm](x)},
 * no activation after the sum. Channels and size are preserved. State names follow GT-RAIN's
 * {@code conv_block} Sequential: {@code .1} and {@code .5} the deformable convs, {@code .2} and {@code .6}
 * the norms.
 */
final class DeformableResBlock extends NetBlock {
	final ReflectionPad2d pad1;
	/** {@code conv_block.1}. */
	final DeformableConv2d deform1;
	/** {@code conv_block.2}. */
	final NetBlock norm1;
	final ActivationBlock act;
	final ReflectionPad2d pad2;
	/** {@code conv_block.5}. */
	final DeformableConv2d deform2;
	/** {@code conv_block.6}. */
	final NetBlock norm2;

	DeformableResBlock(int channels, DerainConfig config) {
		boolean bias = config.norm() == DerainConfig.Norm.INSTANCE;
		pad1 = addChildBlock("pad1", new ReflectionPad2d(1));
		deform1 = addChildBlock("deform1", new DeformableConv2d(channels, channels, bias, config.init()));
		norm1 = addChildBlock("norm1", ConvNormAct.norm(channels, config));
		act = addChildBlock("act", ActivationBlock.of(config.activation()));
		pad2 = addChildBlock("pad2", new ReflectionPad2d(1));
		deform2 = addChildBlock("deform2", new DeformableConv2d(channels, channels, bias, config.init()));
		norm2 = addChildBlock("norm2", ConvNormAct.norm(channels, config));
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		NDList y = inputs;
		for (NetBlock b : new NetBlock[] {pad1, deform1, norm1, act, pad2, deform2, norm2})
			y = b.forward(ps, y, training);
		return new NDList(x.add(y.singletonOrThrow()));
	}

	/**
	 * The block's forward pass once more, for gradient checkpointing: the same output as the first pass (BatchNorm
	 * normalises with the same batch statistics), but BatchNorm's running statistics and counter stay as the first
	 * pass left them.
	 */
	NDArray replay(ParameterStore ps, NDArray x, boolean training) {
		setReplaying(true);
		try {
			return forward(ps, new NDList(x), training).singletonOrThrow();
		} finally {
			setReplaying(false);
		}
	}

	private void setReplaying(boolean replaying) {
		for (NetBlock n : new NetBlock[] {norm1, norm2})
			if (n instanceof BatchNorm2d bn) bn.replaying = replaying;
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return inputShapes;
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {
		deform1.collectState(prefix + ".conv_block.1", state);
		norm1.collectState(prefix + ".conv_block.2", state);
		deform2.collectState(prefix + ".conv_block.5", state);
		norm2.collectState(prefix + ".conv_block.6", state);
	}
}
