package fiji.plugin.derain.net;


import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * PyTorch's {@code ReflectionPad2d(p)}: mirror without repeating the edge pixel, on the last two axes
 * of an NCHW array. DJL only pads with a constant, so the mirrored borders are written into the constant-padded
 * copy (differentiable: autograd sends each border's gradient back to the pixels it mirrors).
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
		// one copy into a zero-padded array, then the four mirrored borders written in place (rows first, then the
		// columns of the whole padded height, which fills the corners); two mirrored slices and a concatenation per
		// axis (two full copies) took 2-3x as long in the decoder (bench/bench_net.sh)
		NDArray y = x.pad(new Shape(pad, pad, pad, pad), 0);
		String rows = ":, :, {}:{}, {}:{}", cols = ":, :, :, {}:{}";
		y.set(new NDIndex(rows, 0, pad, pad, pad + w), x.get(new NDIndex(":, :, {}:{}", 1, pad + 1)).flip(2));
		y.set(new NDIndex(rows, h + pad, h + 2 * pad, pad, pad + w),
			x.get(new NDIndex(":, :, {}:{}", h - 1 - pad, h - 1)).flip(2));
		y.set(new NDIndex(cols, 0, pad), y.get(new NDIndex(cols, pad + 1, 2 * pad + 1)).flip(3));
		y.set(new NDIndex(cols, w + pad, w + 2 * pad), y.get(new NDIndex(cols, w - 1, w + pad - 1)).flip(3));
		return y;
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) + 2 * pad, s.get(3) + 2 * pad)};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
