package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.TorchArrays;

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
		int h = Math.toIntExact(s.get(2)), w = Math.toIntExact(s.get(3));
		if (pad >= h || pad >= w)
			throw new IllegalArgumentException("reflection padding " + pad + " needs an image larger than "
				+ pad + " pixels on each side, got " + h + "x" + w);
		int hp = h + 2 * pad, wp = w + 2 * pad;
		long[] source = new long[hp * wp];
		for (int r = 0; r < hp; r++) {
			long row = (long) reflect(r - pad, h) * w;
			for (int c = 0; c < wp; c++) source[r * wp + c] = row + reflect(c - pad, w);
		}
		NDArray index = TorchArrays.constant(x.getManager(), source);
		return x.reshape(s.get(0), s.get(1), (long) h * w).get(new NDIndex(":, :, {}", index))
			.reshape(s.get(0), s.get(1), hp, wp);
	}

	private static int reflect(int i, int n) {
		if (i < 0) return -i;
		if (i >= n) return 2 * (n - 1) - i;
		return i;
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) + 2 * pad, s.get(3) + 2 * pad)};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {}
}
