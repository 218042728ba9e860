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
 * GT-RAIN's decoder stage: bilinear ×2 upsampling (align_corners=True) → conv block in → out
 * ({@code deconv}), concatenation with the encoder's skip (upsampled first, skip second), conv block
 * 2·out → out ({@code conv}). Inputs NDList[x (N, in, h, w), skip (N, out, 2h, 2w)], output
 * (N, out, 2h, 2w). State names {@code <prefix>.deconv.conv.conv.*} and {@code <prefix>.conv.conv.*}.
 */
final class DecoderBlock extends NetBlock {
	/** Conv block after the upsampling ({@code deconv.conv}). */
	final ConvNormAct deconv;
	/** Conv block after the concatenation ({@code conv}). */
	final ConvNormAct conv;

	DecoderBlock(int in, int out, DerainConfig config) {
		deconv = addChildBlock("deconv", new ConvNormAct(in, out, 3, 1, config));
		conv = addChildBlock("conv", new ConvNormAct(2 * out, out, 3, 1, config));
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray up = deconv.forward(ps, upsample2x(inputs.get(0)), training);
		return conv.forward(ps, new NDList(up.concat(inputs.get(1), 1)), training);
	}

	/**
	 * Bilinear ×2 upsampling of the last two axes with align_corners=True (PyTorch's
	 * {@code F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)}), differentiable:
	 * separable, each axis as two gathers blended in place. (libtorch's interpolate as bound by DJL 0.36
	 * has no align_corners argument: its boolean is antialias.)
	 */
	static NDArray upsample2x(NDArray x) {
		return upsampleAxis(upsampleAxis(x, 3), 2);
	}

	/** Linear ×2 along {@code axis} (2 or 3) of an NCHW array, align_corners=True, float32 like PyTorch's CPU kernel. */
	private static NDArray upsampleAxis(NDArray x, int axis) {
		int in = Math.toIntExact(x.getShape().get(axis)), out = 2 * in;
		long[] lo = new long[out], hi = new long[out];
		float[] frac = new float[out];
		// PyTorch: scale = (in-1)/(out-1) in float, src = scale·dst, i0 = (int) src, i1 = min(i0+1, in-1)
		float scale = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
		for (int i = 0; i < out; i++) {
			float src = scale * i;
			int i0 = (int) src;
			lo[i] = i0;
			hi[i] = Math.min(i0 + 1, in - 1);
			frac[i] = src - i0;
		}
		NDManager m = x.getManager();
		String where = axis == 3 ? ":, :, :, {}" : ":, :, {}";
		Shape weightShape = axis == 3 ? new Shape(out) : new Shape(out, 1);
		NDArray a = x.get(new NDIndex(where, owned(m.create(lo))));
		NDArray b = x.get(new NDIndex(where, owned(m.create(hi))));
		// a + (b - a)·frac, in place on the gathered copies
		return a.addi(b.subi(a).muli(m.create(frac, weightShape)));
	}

	/**
	 * A copy in memory that libtorch owns. DJL's PyTorch engine wraps arrays created from Java data around the
	 * Java buffer; autograd keeps index tensors for the backward pass, and once the block's scope closes that
	 * buffer is released — the backward pass would then read freed memory as indices.
	 */
	static NDArray owned(NDArray fromJava) {
		return fromJava.duplicate();
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), conv.conv.out, 2 * s.get(2), 2 * s.get(3))};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {
		deconv.collectState(prefix + ".deconv.conv.conv", state);
		conv.collectState(prefix + ".conv.conv", state);
	}
}
