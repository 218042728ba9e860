package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
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
		return new NDList(x.add(secondHalf(ps, firstHalf(ps, x, training), training)));
	}

	/** pad → deform conv → norm → activation. */
	private NDArray firstHalf(ParameterStore ps, NDArray x, boolean training) {
		return run(ps, x, training, pad1, deform1, norm1, act);
	}

	/** pad → deform conv → norm: the residual, before the sum. */
	private NDArray secondHalf(ParameterStore ps, NDArray h, boolean training) {
		return run(ps, h, training, pad2, deform2, norm2);
	}

	private static NDArray run(ParameterStore ps, NDArray x, boolean training, NetBlock... blocks) {
		NDList y = new NDList(x);
		for (NetBlock b : blocks) y = b.forward(ps, y, training);
		return y.singletonOrThrow();
	}

	/**
	 * The backward pass of this block for gradient checkpointing, one deformable conv at a time: given the block's
	 * input (saved by an unrecorded forward pass) and the gradient of its output, adds the gradients of the block's
	 * parameters and returns the gradient of its input (in the manager of {@code upstream}). The first half is run
	 * once unrecorded to get its output, then the second half and the first half are each recorded and
	 * back-propagated in turn, so autograd never holds more than one deformable conv's columns. BatchNorm normalises
	 * with the batch statistics, as in the forward pass, and leaves its running statistics alone.
	 */
	NDArray backward(GradientCollector collector, ParameterStore ps, NDArray input, NDArray upstream,
		boolean training) {
		setReplaying(true);
		try {
			NDArray hidden = Recompute.unrecorded(() -> firstHalf(ps, input, training));
			NDArray hiddenGradient = Recompute.backpropagate(collector, h -> secondHalf(ps, h, training), hidden,
				upstream);
			hidden.close();
			NDArray convGradient = Recompute.backpropagate(collector, x -> firstHalf(ps, x, training), input,
				hiddenGradient);
			hiddenGradient.close();
			// the sum's two branches: the skip passes the gradient on as it is
			NDArray gradient = convGradient.add(upstream);
			convGradient.close();
			return gradient;
		} finally {
			setReplaying(false);
		}
	}

	/**
	 * Sets BatchNorm to replay: the output is computed as in the first pass (same batch statistics), but the running
	 * statistics and counter stay as the first pass left them.
	 */
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
