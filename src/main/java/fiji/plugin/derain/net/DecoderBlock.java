package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.TorchArrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * GT-RAIN's decoder stage: bilinear ×2 upsampling (align_corners=True) → conv block in → out
 * ({@code deconv}), concatenation with the encoder's skip (upsampled first, skip second), conv block
 * 2·out → out ({@code conv}). Inputs NDList[x (N, in, h, w), skip (N, out, 2h, 2w)], output
 * (N, out, 2h, 2w). State names {@code <prefix>.deconv.conv.conv.*} and {@code <prefix>.conv.conv.*}.
 */
final class DecoderBlock extends NetBlock {
	private static final long TEMPORARY_BYTES = 2L << 20;

	/** Conv block after the upsampling ({@code deconv.conv}). */
	final ConvNormAct deconv;
	/** Conv block after the concatenation ({@code conv}). */
	final ConvNormAct conv;

	/** The current tile's placement (null: the input is the whole image). */
	private final Supplier<TilePlacement> placement;
	/** Downsampling factor of this block's input relative to full resolution (4 or 2). */
	private final long scale;

	DecoderBlock(int in, int out, DerainConfig config) {
		this(in, out, config, () -> null, 1);
	}

	DecoderBlock(int in, int out, DerainConfig config, Supplier<TilePlacement> placement, long scale) {
		deconv = addChildBlock("deconv", new ConvNormAct(in, out, 3, 1, config));
		conv = addChildBlock("conv", new ConvNormAct(2 * out, out, 3, 1, config));
		this.placement = placement;
		this.scale = scale;
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		// each intermediate is closed once consumed: at 12000 pixels wide a band's are 90-280 MB each
		NDArray upsampled = upsample2x(inputs.get(0), TEMPORARY_BYTES, placement.get(), scale);
		NDArray up = deconv.forward(ps, upsampled, training);
		upsampled.close();
		NDArray joined = up.concat(inputs.get(1), 1);
		up.close();
		NDList out = conv.forward(ps, new NDList(joined), training);
		joined.close();
		return out;
	}

	/**
	 * Bilinear ×2 upsampling of the last two axes with align_corners=True (PyTorch's
	 * {@code F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)}), differentiable: libtorch's own
	 * kernel ({@link ScriptFunction#UPSAMPLE_2X}; libtorch's interpolate as bound by DJL 0.36 has no align_corners
	 * argument: its boolean is antialias).
	 */
	static NDArray upsample2x(NDArray x) {
		return ScriptFunction.UPSAMPLE_2X.apply(x);
	}

	/**
	 * {@link #upsample2x(NDArray)}; with a placement, on the grid of the whole image ({@code x} is then the tile's
	 * feature map at 1/{@code scale} of full resolution), which libtorch's 2-D kernel cannot sample. Separable then, in
	 * channel groups of about {@code groupBytes} of output each: an axis that the tile spans whole (a band's columns)
	 * through libtorch's linear kernel, any other as two gathers blended in place.
	 */
	static NDArray upsample2x(NDArray x, long groupBytes, TilePlacement placement, long scale) {
		Shape s = x.getShape();
		boolean wholeRows = placement == null || placement.y0() == 0 && placement.height() / scale == s.get(2);
		boolean wholeColumns = placement == null || placement.x0() == 0 && placement.width() / scale == s.get(3);
		if (wholeRows && wholeColumns) return upsample2x(x);
		NDManager m = x.getManager();
		Lerp rows = new Lerp(m, s.get(2), 2, placement.height() / scale, placement.y0() / scale);
		UnaryOperator<NDArray> columns = wholeColumns ? DecoderBlock::upsampleColumns
			: new Lerp(m, s.get(3), 3, placement.width() / scale, placement.x0() / scale)::apply;
		long channels = s.get(1), outBytes = 4L * s.get(0) * 4 * s.get(2) * s.get(3);
		// groups of channels with ~2 MB of output each: the blending temporaries stay recyclable
		long group = Math.max(1, groupBytes / outBytes);
		if (group >= channels) return upsampleGroup(x, columns, rows);
		NDList parts = new NDList();
		for (long c = 0; c < channels; c += group) {
			try (NDArray channelGroup = x.get(new NDIndex(":, {}:{}", c, Math.min(channels, c + group)))) {
				parts.add(upsampleGroup(channelGroup, columns, rows));
			}
		}
		NDArray whole = NDArrays.concat(parts, 1);
		parts.close();
		return whole;
	}

	/** Columns then rows, the intermediate closed once used. */
	private static NDArray upsampleGroup(NDArray x, UnaryOperator<NDArray> columns, Lerp rows) {
		try (NDArray wide = columns.apply(x)) {
			return rows.apply(wide);
		}
	}

	/** Linear ×2 of the last axis, align_corners=True, by libtorch's kernel (a band's columns: 5-10× the gathers). */
	private static NDArray upsampleColumns(NDArray x) {
		Shape s = x.getShape();
		try (NDArray flat = x.reshape(s.get(0), s.get(1) * s.get(2), s.get(3));
			NDArray wide = ScriptFunction.UPSAMPLE_LAST_AXIS_2X.apply(flat)) {
			return wide.reshape(s.get(0), s.get(1), s.get(2), 2 * s.get(3));
		}
	}

	/** Linear ×2 along one axis (2 or 3) of an NCHW array, align_corners=True, in float like PyTorch's CPU kernel. */
	private static final class Lerp {
		final NDArray lo, hi, frac;
		final String where;

		/**
		 * @param in local input length (the tile's)
		 * @param globalIn input length of the whole image at this resolution (= {@code in} without tiling)
		 * @param origin the tile's first input position in the whole image
		 */
		Lerp(NDManager m, long in, int axis, long globalIn, long origin) {
			int out = Math.toIntExact(2 * in);
			long[] l = new long[out], h = new long[out];
			float[] f = new float[out];
			// PyTorch: scale = (in-1)/(out-1) in float, src = scale·dst, i0 = (int) src, i1 = min(i0+1, in-1),
			// all on the whole image's grid; a tile takes its slice (clamped at its edges, which lie in the overlap)
			float scale = globalIn > 1 ? (float) (globalIn - 1) / (2 * globalIn - 1) : 0f;
			for (int i = 0; i < out; i++) {
				float src = scale * (2 * origin + i);
				int i0 = (int) src;
				l[i] = clamp(i0 - origin, in);
				h[i] = clamp(Math.min(i0 + 1, globalIn - 1) - origin, in);
				f[i] = src - i0;
			}
			// autograd keeps the indices and frac for the backward pass: libtorch must own them
			lo = TorchArrays.constant(m, l);
			hi = TorchArrays.constant(m, h);
			frac = TorchArrays.constant(m, f, axis == 3 ? new Shape(out) : new Shape(out, 1));
			where = axis == 3 ? ":, :, :, {}" : ":, :, {}";
		}

		private static long clamp(long i, long in) {
			return Math.max(0, Math.min(in - 1, i));
		}

		/** a + (b − a)·frac, in place on the two gathered copies. */
		NDArray apply(NDArray x) {
			NDArray a = x.get(new NDIndex(where, lo));
			try (NDArray b = x.get(new NDIndex(where, hi))) {
				return a.addi(b.subi(a).muli(frac));
			}
		}
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
