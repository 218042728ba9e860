package fiji.plugin.derain.net;


import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * PyTorch's {@code ReflectionPad2d(p)}: mirror without repeating the edge pixel, on the last two axes
 * of an NCHW array, as libtorch's kernel ({@link ScriptFunction#REFLECTION_PAD}: DJL binds only constant padding);
 * differentiable.
 */
final class ReflectionPad2d extends NetBlock {
	final int pad;

	ReflectionPad2d(int pad) {
		this.pad = pad;
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		return new NDList(pad(inputs.singletonOrThrow(), pad));
	}

	/** Reflection-pads the last two axes of {@code x} (N, C, H, W) by {@code pad}; needs pad < H and pad < W. */
	static NDArray pad(NDArray x, int pad) {
		Shape s = x.getShape();
		long h = s.get(2), w = s.get(3);
		if (pad >= h || pad >= w)
			throw new IllegalArgumentException("reflection padding " + pad + " needs an image larger than "
				+ pad + " pixels on each side, got " + h + "x" + w);
		if (pad == 0) return x;
		// libtorch's own kernel: a constant-padded copy with the four borders written in place took twice as long at
		// ngf 64, 256² (NetBenchmark: decoder pads 0.078 vs 0.040 s, residual blocks' 0.026 vs 0.015 s)
		NDArray p = x.getManager().create((long) pad);
		try {
			return ScriptFunction.REFLECTION_PAD.apply(x, p);
		} finally {
			p.close();
		}
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) + 2 * pad, s.get(3) + 2 * pad)};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
