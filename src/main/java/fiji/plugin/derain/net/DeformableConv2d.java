package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.TorchArrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Modulated ("v2") deformable 3×3 convolution with padding 0 and stride 1, on an input the caller has
 * already padded: {@code offset = offset_conv(x)}, {@code mask = 2·sigmoid(modulator_conv(x))},
 * {@code y = deform_conv2d(x, offset, regular_conv.weight, mask)} with torchvision's semantics (see
 * {@link #deformConv2d}). Offset and modulator convs start at zero, so a fresh block is a plain conv.
 * Input (N, C, H+2, W+2), output (N, C_out, H, W).
 */
final class DeformableConv2d extends NetBlock {
	static final int KERNEL = 3;
	static final int TAPS = KERNEL * KERNEL;
	/**
	 * Bytes of one chunk's sampled columns (pixels, 9·C). Temporaries of this size are recycled by the allocator,
	 * much bigger ones pay for fresh pages on every chunk (DESIGN.md §5); smaller ones make the product less efficient
	 * (at 256 channels, 64², measured with the earlier matmul: 4 MB 54 ms, 16 MB 40 ms per conv).
	 */
	static final long CHUNK_BYTES = 16L << 20;
	/**
	 * Bytes of one chunk when autograd records the conv. Recorded chunks are all kept for the backward pass anyway,
	 * so small chunks save no memory there, while each chunk's sampling costs one zero-filled gradient of the whole
	 * input in backward (embedding_bag's backward): fewer, larger chunks are much faster.
	 */
	static final long RECORDED_CHUNK_BYTES = 256L << 20;
	private static final Shape UNIT = new Shape(1, 1), NO_PADDING = new Shape(0, 0);

	/** 3×3 conv to 2·9 offsets (channel 2k = y-shift, 2k+1 = x-shift of tap k), with bias. */
	final Conv2dLayer offsetConv;
	/** 3×3 conv to 9 mask logits, with bias. */
	final Conv2dLayer modulatorConv;
	/** Holds the deformable kernel (out, in, 3, 3) and optional bias; not run as a plain conv. */
	final Conv2dLayer regularConv;

	DeformableConv2d(int in, int out, boolean bias, DerainConfig.Init init) {
		offsetConv = addChildBlock("offset_conv",
			new Conv2dLayer(in, 2 * TAPS, KERNEL, 1, true, Initializers.ZEROS, Initializers.ZEROS));
		modulatorConv = addChildBlock("modulator_conv",
			new Conv2dLayer(in, TAPS, KERNEL, 1, true, Initializers.ZEROS, Initializers.ZEROS));
		regularConv = addChildBlock("regular_conv",
			new Conv2dLayer(in, out, KERNEL, 1, bias, Initializers.convWeight(init), Initializers.ZEROS));
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		NDArray weight = ps.getValue(regularConv.weight, x.getDevice(), training);
		NDArray bias = regularConv.bias == null ? null : ps.getValue(regularConv.bias, x.getDevice(), training);
		NDArray[] offsetAndMask = offsetAndMask(ps, inputs, training);
		return new NDList(deformConv2d(x, offsetAndMask[0], offsetAndMask[1], weight, bias));
	}

	/**
	 * Eval-mode output rows {@code [r0, r0 + n)} of this conv over a padded input of {@code paddedRows} rows, from a band
	 * of it: {@code offsetInput} is the padded input's rows {@code [r0, r0 + n + 2)} (what the offset and modulator
	 * convs read), and {@code input} fetches the padded input's rows that the samples reach, however far. Sample
	 * positions are computed in the whole input's coordinates, so the result is the whole pass's, bit for bit.
	 */
	NDArray forwardRows(ParameterStore ps, NDArray offsetInput, long r0, long paddedRows, BandSamples input) {
		NDList inputs = new NDList(offsetInput);
		NDArray weight = ps.getValue(regularConv.weight, offsetInput.getDevice(), false);
		NDArray bias = regularConv.bias == null ? null : ps.getValue(regularConv.bias, offsetInput.getDevice(), false);
		NDArray[] offsetAndMask = offsetAndMask(ps, inputs, false);
		NDArray offset = offsetAndMask[0];
		long rows = offset.getShape().get(2);
		// padded-input rows that the bilinear samples of output row r (tap ky) read: r + ky + dy, floor and floor + 1
		NDManager m = offset.getManager();
		NDArray tapY = m.arange(0, KERNEL, 1, DataType.FLOAT32).repeat(KERNEL).reshape(1, TAPS, 1, 1)
			.add(m.arange(r0, r0 + rows, 1, DataType.FLOAT32).reshape(1, 1, rows, 1));
		NDArray py = offset.reshape(1, TAPS, 2, rows, offset.getShape().get(3)).get(":, :, 0").add(tapY);
		float lo = py.min().getFloat(), hi = py.max().getFloat();
		// NaN (a broken model): every row, so that NaN reaches the output, where it is reported
		long from = Float.isNaN(lo) ? 0 : (long) Math.max(0, Math.min(paddedRows - 2, Math.floor(lo)));
		long to = Float.isNaN(hi) ? paddedRows : (long) Math.max(from + 2, Math.min(paddedRows, Math.floor(hi) + 2));
		NDArray x = input.rows(from, to);
		Sampling s = Sampling.of(x, offset, offsetAndMask[1], weight, new Rows(r0, from, paddedRows, rows));
		// a band's arrays are 20-200 MB at 12000 pixels wide: each is closed as soon as it is used
		new NDList(x, tapY, py).addAll(new NDList(offsetAndMask)).close();
		try (s) {
			return run(s, bias, chunkFor(x.getShape().get(1), false), false);
		}
	}

	/** Where a band's samples read the conv's padded input. */
	@FunctionalInterface
	interface BandSamples {
		/** The padded input's rows {@code [from, to)}, (1, C, to − from, W + 2); 0 ≤ from, from + 2 ≤ to ≤ its rows. */
		NDArray rows(long from, long to);
	}

	/**
	 * Which rows a sampling covers, in the whole padded input's coordinates.
	 *
	 * @param out the first output row (output row r samples around input row r + ky + dy)
	 * @param in the input row that row 0 of the given input is
	 * @param total the whole input's rows (samples beyond them read 0)
	 * @param count output rows
	 */
	record Rows(long out, long in, long total, long count) {
		/** All output rows of an input of {@code h} rows. */
		static Rows whole(long h) {
			return new Rows(0, 0, h, h - KERNEL + 1);
		}
	}

	/**
	 * The offsets (N, 18, h, w) and the mask (N, 9, h, w): the offset and modulator convs run as one conv to 27
	 * channels, one pass over the input instead of two (at 256 channels 7 vs 10 ms here). Always both as one, recorded
	 * or not, so that a step recomputed for gradient checkpointing sees the values of the recorded pass.
	 */
	private NDArray[] offsetAndMask(ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		NDManager m = x.getManager();
		NDArray w = offsetConv.weight(ps, x, training).concat(modulatorConv.weight(ps, x, training), 0);
		NDArray b = offsetConv.bias(ps, x, training).concat(modulatorConv.bias(ps, x, training), 0);
		w.attach(m); // derived from parameters: would otherwise land in their manager
		b.attach(m);
		NDArray both = offsetConv.apply(x, w, b);
		return new NDArray[] {both.get(new NDIndex(":, 0:{}", 2 * TAPS)),
			TorchArrays.scale(Activation.sigmoid(both.get(new NDIndex(":, {}:", 2 * TAPS))), 2)};
	}

	/**
	 * torchvision's {@code deform_conv2d(x, offset, weight, bias, padding=0, mask=mask)} for one offset
	 * group, stride 1, dilation 1, built from differentiable core ops.
	 * <p>
	 * Tap k = (ky, kx) (row-major) of output pixel (i, j) samples x bilinearly at
	 * (i + ky + offset[2k], j + kx + offset[2k+1]) and is weighted by mask[k]. A sample at y ≤ −1, y ≥ H,
	 * x ≤ −1 or x ≥ W is 0; otherwise each of its four corners that lies outside the image counts as 0.
	 * <p>
	 * Layout: x is zero-padded by one pixel (so every corner of an in-range sample is a valid row, the
	 * border rows reading 0) and laid out as a contiguous channel-last table of rows of C values. Per chunk of output
	 * pixels, one {@link ScriptFunction#EMBEDDING_BAG} (libtorch's embedding_bag) gathers, weights and sums the four
	 * corner rows of every (pixel, tap) into tap-major columns (pixels, 9·C) in one pass, and their product with
	 * the kernel as (9·C, C_out) gives the output ({@link #rowProduct}). Chunks keep temporaries near
	 * {@link #CHUNK_BYTES}. (Before: one gather of "quad rows", each row beside its three neighbours, then the corners
	 * weighted in place and summed: 62 vs 40 ms per conv at 256 channels, 64², 137 vs ~90 ms at 64 channels,
	 * 256 × 192. The table must be contiguous: as a transposed view, 46 instead of 6.5 ms for the sampling of one
	 * conv.)
	 *
	 * @param x (N, C, H, W), already padded by the caller
	 * @param offset (N, 18, H−2, W−2)
	 * @param mask (N, 9, H−2, W−2), typically in (0, 2)
	 * @param weight (C_out, C, 3, 3)
	 * @param bias (C_out) or null
	 * @return (N, C_out, H−2, W−2), in the manager of {@code x}
	 */
	static NDArray deformConv2d(NDArray x, NDArray offset, NDArray mask, NDArray weight, NDArray bias) {
		boolean recorded = recorded(x, offset, mask, weight);
		try (Sampling s = Sampling.of(x, offset, mask, weight, Rows.whole(x.getShape().get(2)))) {
			return run(s, bias, chunkFor(x.getShape().get(1), recorded), recorded);
		}
	}

	/** Output pixels per chunk: about {@link #CHUNK_BYTES} of sampled columns, {@link #RECORDED_CHUNK_BYTES} recorded. */
	private static long chunkFor(long channels, boolean recorded) {
		return Math.max(1, (recorded ? RECORDED_CHUNK_BYTES : CHUNK_BYTES) / (TAPS * channels * Float.BYTES));
	}

	/** True when autograd records operations on these arrays (grad mode on and one of them requires a gradient). */
	private static boolean recorded(NDArray... arrays) {
		if (!JniUtils.isGradMode()) return false;
		for (NDArray a : arrays) if (a.hasGradient()) return true;
		return false;
	}

	/** {@link #deformConv2d(NDArray, NDArray, NDArray, NDArray, NDArray)} with {@code chunk} output pixels per product. */
	static NDArray deformConv2d(NDArray x, NDArray offset, NDArray mask, NDArray weight, NDArray bias, long chunk) {
		try (Sampling s = Sampling.of(x, offset, mask, weight, Rows.whole(x.getShape().get(2)))) {
			return run(s, bias, chunk, recorded(x, offset, mask, weight));
		}
	}

	private static NDArray run(Sampling s, NDArray bias, long chunk, boolean recorded) {
		List<NDArray> parts = new ArrayList<>();
		NDManager m = s.rows.getManager();
		for (long start = 0; start < s.pixels; start += chunk) {
			long end = Math.min(s.pixels, start + chunk);
			if (recorded) { // autograd keeps the chunk's arrays anyway
				parts.add(s.chunk(start, end, null));
				continue;
			}
			// unrecorded: the chunk's temporaries are freed at once, so the next chunk reuses their memory
			try (NDManager temporaries = m.newSubManager()) {
				NDArray part = s.chunk(start, end, temporaries);
				part.attach(m);
				parts.add(part);
			}
		}
		NDArray out = parts.get(0);
		if (parts.size() > 1) {
			out = NDArrays.concat(new NDList(parts), 0);
			new NDList(parts).close();
		}
		if (bias != null) out = recorded ? out.add(bias) : out.addi(bias);
		return s.toNchw(out);
	}

	/**
	 * The matrix product (P, K) × (K, C_out) of {@code rows} (P, K) and {@code kernel} (C_out, K, 1, 1), run as a 1×1
	 * convolution of the rows seen as a channel-last image (1, K, P, 1) — the same buffer, no copy. libtorch runs
	 * that convolution in oneDNN, which uses the AVX-512 units of this AMD CPU, where its matmul (MKL) does not: at
	 * 256 channels, 4,096 pixels, 12.7 ms vs 27.2 ms (381 vs 178 GFLOP/s). The output comes back channel-last as
	 * well, i.e. as the rows (P, C_out).
	 */
	static NDArray rowProduct(NDArray rows, NDArray kernel, NDManager into) {
		long p = rows.getShape().get(0), k = rows.getShape().get(1), cOut = kernel.getShape().get(0);
		NDArray image = Sampling.keep(into, Sampling.keep(into, rows.reshape(1, p, 1, k)).transpose(0, 3, 1, 2));
		NDArray y = Sampling.keep(into, Conv2d.conv2d(image, kernel, null, UNIT, NO_PADDING, UNIT, 1).singletonOrThrow());
		return Sampling.keep(into, Sampling.keep(into, y.transpose(0, 2, 3, 1)).reshape(p, cOut));
	}

	/**
	 * What every chunk of output pixels reads: the input as a table of channel-last rows (see {@link #deformConv2d}),
	 * per (pixel, tap) the table rows of its four corners and their bilinear weights (mask and in-range gate
	 * included), and the kernel as (C_out, 9·C, 1, 1) (see {@link #product}).
	 */
	private record Sampling(NDArray rows, NDArray index, NDArray cornerWeights, NDArray kernel, long pixels,
		long channels, Shape out) implements AutoCloseable {

		/** Frees the table, indices, weights and kernel (autograd keeps what it saved of them). */
		@Override
		public void close() {
			new NDList(rows, index, cornerWeights, kernel).close();
		}

			/** {@code x} holds rows {@code [span.in(), span.in() + its height)} of the input. */
		static Sampling of(NDArray x, NDArray offset, NDArray mask, NDArray weight, Rows span) {
			Shape s = x.getShape();
			long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3), hOut = span.count();
			long cOut = weight.getShape().get(0), wOut = w - KERNEL + 1;
			requireShape("offset", offset, new Shape(n, 2 * TAPS, hOut, wOut));
			requireShape("mask", mask, new Shape(n, TAPS, hOut, wOut));
			requireShape("weight", weight, new Shape(cOut, c, KERNEL, KERNEL));
			NDManager m = x.getManager();

			// rows of the zero-padded, channel-last input: row (b, y+1, x+1) holds pixel (y, x) of sample b, so that the
			// four corners of a sample whose top-left corner is row i are rows i, i+1, i+wz, i+wz+1, all valid
			long hz = h + 2, wz = w + 2;
			// (transposed, then padded: the pad writes a contiguous copy; padded, then transposed, the rows would be a
			// strided view, which embedding_bag would copy for every chunk)
			NDArray rows;
			try (NDArray channelLast = x.transpose(0, 2, 3, 1);
				NDArray padded = channelLast.pad(new Shape(0, 0, 1, 1, 1, 1), 0)) {
				rows = padded.reshape(n * hz * wz, c);
			}

			long pixels = n * hOut * wOut;
			// int32 indices where the rows allow (half the memory of int64): every band, most whole images
			DataType indexType = n * hz * wz < Integer.MAX_VALUE ? DataType.INT32 : DataType.INT64;
			NDArray index, weight4;
			// intermediates (about 1 KB per pixel) in their own manager, freed before the chunks run; autograd keeps
			// what it needs of them by itself
			try (NDManager scratch = m.newSubManager()) {
				// sample positions (N, hOut, wOut, 9) in input pixels, pixel-major like the output rows
				NDArray tapY = scratch.arange(0, KERNEL, 1, DataType.FLOAT32).repeat(KERNEL);
				NDArray tapX = scratch.arange(0, KERNEL, 1, DataType.FLOAT32).tile(KERNEL);
				NDArray pixY = scratch.arange(span.out(), span.out() + hOut, 1, DataType.FLOAT32).reshape(hOut, 1, 1);
				NDArray pixX = scratch.arange(0, wOut, 1, DataType.FLOAT32).reshape(wOut, 1);
				NDArray shifts = offset.transpose(0, 2, 3, 1).reshape(n, hOut, wOut, TAPS, 2);
				shifts.attach(scratch); // what is computed from it lands there too
				NDArray py = shifts.get("..., 0").add(tapY.add(pixY));
				NDArray px = shifts.get("..., 1").add(tapX.add(pixX));

				// whole samples outside (-1, H) × (-1, W) are 0; their corner indices are clamped to stay valid
				NDArray inside = py.gt(-1).logicalAnd(py.lt(span.total())).logicalAnd(px.gt(-1)).logicalAnd(px.lt(w))
					.toType(DataType.FLOAT32, false);
				NDArray y0 = py.floor(), x0 = px.floor();
				NDArray ly = py.sub(y0), lx = px.sub(x0);
				NDArray hy = ly.neg().addi(1), hx = lx.neg().addi(1);
				NDArray gate = inside.mul(mask.transpose(0, 2, 3, 1));
				// corner weights (top, bottom) ⊗ (left, right): top-left, top-right, bottom-left, bottom-right
				NDArray vertical = NDArrays.stack(new NDList(hy.mul(gate), ly.mul(gate)), 4).expandDims(5);
				NDArray horizontal = NDArrays.stack(new NDList(hx, lx), 4).expandDims(4);
				weight4 = vertical.mul(horizontal).reshape(pixels, TAPS, 4);

				NDArray sample = scratch.arange(0, n, 1, indexType).reshape(n, 1, 1, 1).muli(hz * wz);
				// clipped after the conversion to integers: a NaN position (the offsets of a broken model) converts to
				// some integer that the clip makes a valid index, and its NaN weights then carry NaN to the output, where
				// Derainer and the training loss report it; clipped before, NaN stayed NaN and became an invalid index
				NDArray topLeft = y0.toType(indexType, false).subi(span.in()).clip(-1, h - 1).addi(1).muli(wz)
					.addi(x0.toType(indexType, false).clip(-1, w - 1).addi(1)).addi(sample);
				NDArray corners = TorchArrays.constant(scratch, new long[] {0, 1, wz, wz + 1}).toType(indexType, false);
				index = topLeft.expandDims(4).add(corners).reshape(pixels, TAPS, 4);
				index.attach(m);
				weight4.attach(m);
			}
			NDArray tapMajor = weight.transpose(0, 2, 3, 1);
			tapMajor.attach(m); // derived from a parameter: would otherwise land in the parameter's manager
			NDArray kernel = tapMajor.reshape(cOut, TAPS * c, 1, 1);
			return new Sampling(rows, index, weight4, kernel, pixels, c, new Shape(n, hOut, wOut, cOut));
		}

		/** Output rows {@code [start, end)}, (end − start, C_out); with {@code into}, every array made here is attached to it. */
		NDArray chunk(long start, long end, NDManager into) {
			NDArray[] corners = corners(cornerWeights, start, end, into);
			return product(columns(rows, corners, into), kernel, into);
		}

		/** The corner indices and weights of output rows {@code [start, end)}, (pixels · 9, 4) each. */
		NDArray[] corners(NDArray cornerWeights, long start, long end, NDManager into) {
			NDIndex range = new NDIndex("{}:{}", start, end);
			return new NDArray[] {keep(into, keep(into, index.get(range)).reshape(-1, 4)),
				keep(into, keep(into, cornerWeights.get(range)).reshape(-1, 4))};
		}

		/** The sampled columns (pixels · 9, C) of the given corners ({@link #corners}) from the given table rows. */
		static NDArray columns(NDArray rows, NDArray[] corners, NDManager into) {
			return keep(into, ScriptFunction.EMBEDDING_BAG.apply(rows, corners[0], corners[1]));
		}

		/** The output rows (pixels, C_out) of sampled columns (pixels · 9, C) and the kernel (C_out, 9·C, 1, 1). */
		NDArray product(NDArray columns, NDArray kernel, NDManager into) {
			return rowProduct(keep(into, columns.reshape(-1, TAPS * channels)), kernel, into);
		}

		/** Output rows (pixels, C_out) → (N, C_out, hOut, wOut). */
		NDArray toNchw(NDArray rowsOut) {
			return rowsOut.reshape(out).transpose(0, 3, 1, 2);
		}

		private static NDArray keep(NDManager into, NDArray a) {
			if (into != null) a.attach(into);
			return a;
		}
	}

	/**
	 * The backward pass of this conv for gradient checkpointing, its sampled columns recomputed one chunk at a time
	 * so that no more than one chunk of them is ever held (the forward pass, recorded, keeps all of them: the
	 * largest part of a training step's memory). The offsets, mask, sampling weights and indices are recorded
	 * whole (9 values per pixel and tap, not 9·C); then, chunk by chunk, the chunk's columns are sampled unrecorded,
	 * its output is recorded from a leaf standing for them and a leaf standing for the kernel, {@code upstream}'s
	 * chunk is back-propagated to those leaves, and the columns' gradient is taken to the input rows and the corner
	 * weights by {@link ScriptFunction#EMBEDDING_BAG_BACKWARD} (libtorch's backward of embedding_bag was a quarter
	 * of a training step); finally these gradients are back-propagated through the recorded sampling into the input,
	 * the offset and modulator convs and the kernel. Adds the parameters' gradients; returns the gradient of
	 * {@code x}, in the manager of {@code upstream}. Call inside a gradient collector.
	 *
	 * @param x the conv's input as the forward pass had it (N, C, H, W), already padded
	 * @param upstream the gradient of the conv's output, (N, C_out, H−2, W−2)
	 */
	NDArray backward(GradientCollector collector, ParameterStore ps, NDArray x, NDArray upstream) {
		NDManager m = upstream.getManager();
		try (NDManager recorded = m.newSubManager()) {
			NDArray in = Recompute.leaf(x);
			in.attach(recorded);
			NDList inputs = new NDList(in);
			NDArray weight = ps.getValue(regularConv.weight, in.getDevice(), true);
			NDArray[] offsetAndMask = offsetAndMask(ps, inputs, true);
			Sampling s = Sampling.of(in, offsetAndMask[0], offsetAndMask[1], weight, Rows.whole(in.getShape().get(2)));
			NDArray kernel = Recompute.leaf(s.kernel);
			NDArray rows = s.rows.stopGradient(), cornerWeights = s.cornerWeights.stopGradient(); // their values
			NDArray gradOut = upstream.transpose(0, 2, 3, 1).reshape(s.pixels, s.out.get(3)); // like the output rows
			gradOut.attach(recorded);
			long chunk = chunkFor(s.channels, true);
			NDArray rowsGradient = null;
			NDList weightsGradient = new NDList();
			for (long start = 0; start < s.pixels; start += chunk) {
				long end = Math.min(s.pixels, start + chunk);
				try (NDManager c = recorded.newSubManager()) {
					NDArray[] corners = s.corners(cornerWeights, start, end, c);
					NDArray columns = Recompute.leaf(Sampling.columns(rows, corners, c));
					columns.attach(c);
					NDArray g = gradOut.get(new NDIndex("{}:{}", start, end));
					g.attach(c);
					collector.backward(s.product(columns, kernel, c).mul(g).sum()); // the kernel's and the columns'
					NDList gradients = ScriptFunction.EMBEDDING_BAG_BACKWARD.applyAll(columns.getGradient(), rows,
						corners[0], corners[1]);
					gradients.attach(recorded);
					rowsGradient = rowsGradient == null ? gradients.get(0) : rowsGradient.addi(gradients.get(0));
					weightsGradient.add(gradients.get(1));
				}
			}
			NDArray cornerWeightsGradient = (weightsGradient.size() == 1 ? weightsGradient.get(0)
				: NDArrays.concat(weightsGradient, 0)).reshape(s.cornerWeights.getShape());
			NDArray total = s.rows.mul(rowsGradient).sum().add(s.kernel.mul(kernel.getGradient()).sum());
			total = total.add(s.cornerWeights.mul(cornerWeightsGradient).sum());
			if (regularConv.bias != null) {
				NDArray bias = ps.getValue(regularConv.bias, in.getDevice(), true);
				total = total.add(bias.mul(gradOut.sum(new int[] {0})).sum());
			}
			collector.backward(total);
			NDArray gradient = in.getGradient();
			gradient.attach(m);
			return gradient;
		}
	}

	private static void requireShape(String what, NDArray a, Shape expected) {
		if (!a.getShape().equals(expected))
			throw new IllegalArgumentException("deformable conv: " + what + " must have shape " + expected + ", got "
				+ a.getShape());
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return regularConv.getOutputShapes(inputShapes);
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> state) {
		offsetConv.collectState(prefix + ".offset_conv", state);
		modulatorConv.collectState(prefix + ".modulator_conv", state);
		regularConv.collectState(prefix + ".regular_conv", state);
	}
}
