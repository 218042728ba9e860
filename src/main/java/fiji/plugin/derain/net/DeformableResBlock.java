package fiji.plugin.derain.net;

import fiji.plugin.derain.engine.Autograd;

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
		NDArray h = firstHalf(ps, x, training);
		NDArray residual = secondHalf(ps, h, training);
		h.close();
		return new NDList(x.add(residual));
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
		return chain(ps, new NDList(x), training, blocks).singletonOrThrow();
	}

	/**
	 * The backward pass of this block for gradient checkpointing: given the block's input (saved by an unrecorded
	 * forward pass) and the gradient of its output, adds the gradients of the block's parameters and returns the
	 * gradient of its input (in the manager of {@code upstream}). The block is run forward once more, unrecorded,
	 * keeping the input of each piece; then each piece is back-propagated in turn, from the last: the norms and
	 * pads recorded from their input, the deformable convs with their columns recomputed chunk by chunk
	 * ({@link DeformableConv2d#backward}). Autograd never holds more than one piece. BatchNorm normalises with the
	 * batch statistics, as in the forward pass, and leaves its running statistics alone.
	 */
	NDArray backward(GradientCollector collector, ParameterStore ps, NDArray input, NDArray upstream,
		boolean training) {
		setReplaying(true);
		NDArray[] kept = new NDArray[5];
		try {
			Autograd.unrecorded(() -> {
				kept[0] = run(ps, input, training, pad1);
				kept[1] = run(ps, kept[0], training, deform1);
				kept[2] = run(ps, kept[1], training, norm1, act);
				kept[3] = run(ps, kept[2], training, pad2);
				return kept[4] = run(ps, kept[3], training, deform2);
			});
			NDArray g = Recompute.backpropagate(collector, d -> run(ps, d, training, norm2), kept[4], upstream);
			g = replace(g, deform2.backward(collector, ps, kept[3], g));
			g = replace(g, Recompute.backpropagate(collector, h -> run(ps, h, training, pad2), kept[2], g));
			g = replace(g, Recompute.backpropagate(collector, d -> run(ps, d, training, norm1, act), kept[1], g));
			g = replace(g, deform1.backward(collector, ps, kept[0], g));
			g = replace(g, Recompute.backpropagate(collector, x -> run(ps, x, training, pad1), input, g));
			// the sum's two branches: the skip passes the gradient on as it is
			return replace(g, g.add(upstream));
		} finally {
			setReplaying(false);
			for (NDArray a : kept) if (a != null) a.close();
		}
	}

	/** {@code next}, after closing {@code previous}. */
	private static NDArray replace(NDArray previous, NDArray next) {
		previous.close();
		return next;
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
