package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

import java.util.Map;

/**
 * GT-RAIN's decoder stage: bilinear ×2 upsampling (align_corners=True) → conv block in → out
 * ({@code deconv}), concatenation with the encoder's skip (upsampled first, skip second), conv block
 * 2·out → out ({@code conv}). Inputs NDList[x (N, in, h, w), skip (N, out, 2h, 2w)], output
 * (N, out, 2h, 2w). State names {@code <prefix>.deconv.conv.conv.*} and {@code <prefix>.conv.conv.*}.
 */
final class DecoderBlock extends NetBlock {
	/** libtorch's interpolation mode code for bilinear. */
	private static final int BILINEAR = 2;

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
	 * {@code F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)}), differentiable.
	 * Calls libtorch directly because DJL 0.36's {@code NDArrayEx.interpolation} drops its alignCorners
	 * argument (always false).
	 */
	static NDArray upsample2x(NDArray x) {
		Shape s = x.getShape();
		return JniUtils.interpolate((PtNDArray) x, new long[] {2 * s.get(2), 2 * s.get(3)}, BILINEAR, true);
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
