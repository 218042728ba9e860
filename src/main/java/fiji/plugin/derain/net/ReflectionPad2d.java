package fiji.plugin.derain.net;


import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * PyTorch's {@code ReflectionPad2d(p)}: mirror without repeating the edge pixel, on the last two axes
 * of an NCHW array. DJL only pads with a constant, so the padded image is one gather of the
 * flattened H·W plane (differentiable: the gradient scatters back onto the source pixels).
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
		return reflect(reflect(x, 2, pad, h), 3, pad, w);
	}

	/**
	 * {@code x} with {@code pad} mirrored slices before and after along {@code axis} (2 or 3) of length {@code n}:
	 * before, slices pad … 1; after, n − 2 … n − 1 − pad. Two slice copies and a concatenation (a gather with an
	 * index per output value was 2–4× slower).
	 */
	private static NDArray reflect(NDArray x, int axis, int pad, long n) {
		String slice = axis == 2 ? ":, :, {}:{}" : ":, :, :, {}:{}";
		NDArray before = x.get(new NDIndex(slice, 1, pad + 1)).flip(axis);
		NDArray after = x.get(new NDIndex(slice, n - 1 - pad, n - 1)).flip(axis);
		return NDArrays.concat(new NDList(before, x, after), axis);
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) + 2 * pad, s.get(3) + 2 * pad)};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
