package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.BandedNetwork;
import fiji.plugin.derain.tensor.TiledInference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * GT-RAIN's eval forward pass over a whole image in full-width row bands ({@link BandedNetwork}): four stages, each
 * writing its whole output to {@link MapFile}s before the next starts.
 * <ol>
 * <li>Encoder: image → x0 (full resolution), x1 (half), x2 (quarter). A band of quarter rows [q0, q1) runs the
 * encoder on image rows [4q0 − {@value #ENCODER_HALO}, 4q1 + {@value #ENCODER_HALO}): the rows its reflection pads
 * spoil at the band's interior edges lie within that halo (TileExactness.ENCODER_MARGIN).</li>
 * <li>Residual blocks, one deformable conv at a time: a band of output rows computes its offsets from the previous
 * layer's rows r0 − 1 … r1, then reads exactly the rows its samples reach ({@link DeformableConv2d#forwardRows}),
 * however far that is; norm, activation and the block's skip are row-local.</li>
 * <li>upsample_2: half rows [2q0, 2q1) from quarter rows q0 − 2 … q1 + 1 (an align_corners ×2 sample of half row i
 * reads quarter rows ⌊i/2⌋ − 1 … ⌊i/2⌋ + 1; two 3×3 convs) and the x1 skip.</li>
 * <li>upsample_1 and the output conv: full rows [2h0, 2h1) from half rows h0 − 4 … h1 + 3 and the x0 skip.</li>
 * </ol>
 * Memory: one band's activations; the maps live in the temporary folder (2.75 · ngf floats per pixel in all).
 */
final class BandedForward implements BandedNetwork {
	/** Image rows around a band that the encoder's reflection pads may spoil (two quarter-resolution rows). */
	static final int ENCODER_HALO = 8;
	/** Quarter rows around a band that upsample_2 reads. */
	static final int DECODER2_HALO = 2;
	/** Half rows around a band that upsample_1 and the output conv read (even: tile placements are multiples of 4). */
	static final int DECODER1_HALO = 4;

	private final DerainNet net;

	BandedForward(DerainNet net) {
		this.net = net;
	}

	/** Bytes the maps of an image take in the temporary folder. */
	static long temporaryBytes(int ngf, long width, long height) {
		long full = width * height;
		return 4L * full * ngf * 11 / 4;
	}

	@Override
	public void run(NDManager manager, long width, long height, long bandRows, Input input, Output output,
		TiledInference.Progress progress, BooleanSupplier cancelled) {
		if (width % 4 != 0 || height % 4 != 0 || height < 8 || width < 8 || bandRows % 8 != 0 || bandRows < 8)
			throw new IllegalArgumentException("banded pass needs multiples of 4 (at least 8) and bands of multiples of 8, "
				+ "got " + width + "x" + height + ", bands of " + bandRows);
		Path folder = temporaryFolder(net.config().ngf(), width, height);
		int ngf = net.config().ngf();
		long hq = height / 4, wq = width / 4, hh = height / 2, wh = width / 2;
		try (MapFile x0 = MapFile.create(folder, ngf, height, width);
			MapFile x1 = MapFile.create(folder, 2L * ngf, hh, wh);
			MapFile a = MapFile.create(folder, 4L * ngf, hq, wq);
			MapFile b = MapFile.create(folder, 4L * ngf, hq, wq);
			MapFile c = MapFile.create(folder, 4L * ngf, hq, wq)) {
			Bands bands = new Bands(manager, progress, cancelled, bandRows, hq, hh, net.residualBlocks.size());
			bands.run(hq, bandRows / 4, (m, q0, q1) -> encode(m, input, x0, x1, a, q0, q1, width, height));
			MapFile in = a, mid = b, out = c;
			for (DeformableResBlock block : net.residualBlocks) {
				MapFile from = in, hidden = mid, to = out;
				bands.run(hq, bandRows, (m, r0, r1) -> hidden.write(r0, deformable(m, block.deform1, from, r0, r1,
					block.norm1, block.act, null)));
				bands.run(hq, bandRows, (m, r0, r1) -> to.write(r0, deformable(m, block.deform2, hidden, r0, r1,
					block.norm2, null, from)));
				out = in;
				in = to;
			}
			MapFile residual = in;
			try (MapFile u2 = MapFile.create(folder, 2L * ngf, hh, wh)) {
				bands.run(hq, bandRows / 4, (m, q0, q1) -> u2.write(2 * q0, decode2(m, residual, x1, q0, q1, width, height)));
				bands.run(hh, bandRows / 2, (m, h0, h1) -> output.rows(decode1(m, u2, x0, h0, h1, width, height), 2 * h0));
			}
		} catch (IOException e) {
			throw new UncheckedIOException("cannot keep the network's feature maps in the temporary folder " + folder + " ("
				+ e.getMessage() + "): free disk space there or choose another folder with -Djava.io.tmpdir=DIR", e);
		}
	}

	/** The temporary folder, if it has room for the maps; otherwise an error that says how much is needed. */
	private static Path temporaryFolder(int ngf, long width, long height) {
		Path folder = Paths.get(System.getProperty("java.io.tmpdir"));
		long need = temporaryBytes(ngf, width, height);
		try {
			long free = Files.getFileStore(folder).getUsableSpace();
			if (free < need + (need >> 3))
				throw new UncheckedIOException(new IOException("the network's feature maps for a " + width + "x" + height
					+ " image need " + gb(need) + " of temporary space, and " + folder + " has " + gb(free)
					+ " free: free disk space there or choose another folder with -Djava.io.tmpdir=DIR"));
		} catch (IOException e) {
			throw new UncheckedIOException("cannot use the temporary folder " + folder + ": " + e.getMessage(), e);
		}
		return folder;
	}

	private static String gb(long bytes) {
		return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
	}

	/** Encoder band: quarter rows [q0, q1) of x2 (into {@code x2}), and the matching rows of x0 and x1. */
	private void encode(NDManager m, Input input, MapFile x0, MapFile x1, MapFile x2, long q0, long q1, long width,
		long height) {
		long s = Math.max(0, 4 * q0 - ENCODER_HALO), e = Math.min(height, 4 * q1 + ENCODER_HALO);
		ParameterStore ps = new ParameterStore(m, false);
		NDArray first = consume(input.rows(m, s, e), image -> net.initialConv0.forward(ps, image, false));
		NDArray full = consume(first, a -> net.initialConv1.forward(ps, a, false));
		NDArray half = net.downsample1.forward(ps, full, false);
		write(x0, 4 * q0, full, 4 * q0 - s, 4 * q1 - s);
		NDArray quarter = net.downsample2.forward(ps, half, false);
		write(x1, 2 * q0, half, (4 * q0 - s) / 2, (4 * q1 - s) / 2);
		write(x2, q0, quarter, (4 * q0 - s) / 4, (4 * q1 - s) / 4);
	}

	/**
	 * Rows [r0, r1) of {@code norm(deform(pad(in)))}, then the activation (if any) and the skip's rows (if any) added:
	 * half of a residual block.
	 */
	private NDArray deformable(NDManager m, DeformableConv2d conv, MapFile in, long r0, long r1, NetBlock norm,
		NetBlock act, MapFile skip) {
		ParameterStore ps = new ParameterStore(m, false);
		NDArray y = consume(padded(m, in, r0, r1 + 2),
			offsetInput -> conv.forwardRows(ps, offsetInput, r0, in.rows + 2, (from, to) -> padded(m, in, from, to)));
		y = consume(y, a -> norm.forward(ps, new NDList(a), false).singletonOrThrow());
		if (act != null) y = consume(y, a -> act.forward(ps, new NDList(a), false).singletonOrThrow());
		if (skip != null) {
			try (NDArray skipRows = skip.read(m, r0, r1)) {
				y = y.addi(skipRows);
			}
		}
		return y;
	}

	/**
	 * Rows [from, to) of the map reflection-padded by one pixel on every side (padded row p is map row p − 1, mirrored
	 * at the map's edges), as (1, C, to − from, W + 2); 0 ≤ from < to ≤ rows + 2.
	 */
	static NDArray padded(NDManager m, MapFile map, long from, long to) {
		long s = Math.max(0, from - 1), e = Math.min(map.rows, to - 1);
		// reflection padding needs two rows; the extra row is cut off again
		if (e - s < 2) {
			if (s == 0) e = Math.min(map.rows, 2);
			else s = Math.max(0, e - 2);
		}
		try (NDArray read = map.read(m, s, e); NDArray band = ReflectionPad2d.pad(read, 1)) {
			// band row j is padded row s + j: true rows, or at the map's top and bottom the mirrored ones
			return rows(band, from - s, to - s);
		}
	}

	/** upsample_2's half rows [2q0, 2q1) from the residual blocks' output and the x1 skip. */
	private NDArray decode2(NDManager m, MapFile residual, MapFile x1, long q0, long q1, long width, long height) {
		long s = Math.max(0, q0 - DECODER2_HALO), e = Math.min(residual.rows, q1 + DECODER2_HALO);
		ParameterStore ps = new ParameterStore(m, false);
		NDArray up = decoderStage(m, net.upsample2, ps, residual, x1, s, e, new TilePlacement(0, 4 * s, width, height));
		return rows(up, 2 * (q0 - s), 2 * (q1 - s));
	}

	/** The output's full rows [2h0, 2h1) from upsample_2's output and the x0 skip. */
	private NDArray decode1(NDManager m, MapFile u2, MapFile x0, long h0, long h1, long width, long height) {
		long s = Math.max(0, h0 - DECODER1_HALO), e = Math.min(u2.rows, h1 + DECODER1_HALO);
		ParameterStore ps = new ParameterStore(m, false);
		NDArray up = decoderStage(m, net.upsample1, ps, u2, x0, s, e, new TilePlacement(0, 2 * s, width, height));
		NDArray image = consume(up, a -> net.outputConv.forward(ps, a, false));
		return rows(image, 2 * (h0 - s), 2 * (h1 - s));
	}

	/** A decoder stage on rows [s, e) of the lower-resolution map and rows [2s, 2e) of the skip, both closed after. */
	private NDArray decoderStage(NDManager m, DecoderBlock stage, ParameterStore ps, MapFile lower, MapFile skip, long s,
		long e, TilePlacement placement) {
		try (NDArray x = lower.read(m, s, e); NDArray skipRows = skip.read(m, 2 * s, 2 * e)) {
			return net.decoderStage(stage, ps, x, skipRows, placement);
		}
	}

	/**
	 * {@code next} applied to {@code a}, then {@code a} closed: a band's arrays are 50-280 MB at 12000 pixels wide, and
	 * its manager would otherwise keep every one of them until the band ends.
	 */
	private static NDArray consume(NDArray a, UnaryOperator<NDArray> next) {
		try (a) {
			return next.apply(a);
		}
	}

	/** Writes rows [from, to) of {@code a} at {@code row} of the map, then closes {@code a}. */
	private static void write(MapFile map, long row, NDArray a, long from, long to) {
		try (a; NDArray band = rows(a, from, to)) {
			map.write(row, band);
		}
	}

	/** Rows [from, to) of an NCHW array. */
	private static NDArray rows(NDArray a, long from, long to) {
		return a.get(new NDIndex(":, :, {}:{}", from, to));
	}

	/** One band of one stage. */
	@FunctionalInterface
	private interface Band {
		void run(NDManager m, long from, long to);
	}

	/** Runs the stages' bands, each in its own manager, with progress and cancellation. */
	private static final class Bands {
		private final NDManager manager;
		private final TiledInference.Progress progress;
		private final BooleanSupplier cancelled;
		private final long total;
		private long done;

		Bands(NDManager manager, TiledInference.Progress progress, BooleanSupplier cancelled, long bandRows, long hq,
			long hh, int blocks) {
			this.manager = manager;
			this.progress = progress;
			this.cancelled = cancelled;
			total = 2 * count(hq, bandRows / 4) + 2L * blocks * count(hq, bandRows) + count(hh, bandRows / 2);
		}

		private static long count(long rows, long band) {
			return (rows + band - 1) / band;
		}

		void run(long rows, long band, Band body) {
			List<long[]> ranges = new ArrayList<>();
			for (long r = 0; r < rows; r += band) ranges.add(new long[] {r, Math.min(rows, r + band)});
			for (long[] range : ranges) {
				if (cancelled.getAsBoolean())
					throw new CancellationException("cancelled after " + done + " of " + total + " bands");
				try (NDManager m = manager.newSubManager()) {
					body.run(m, range[0], range[1]);
				}
				progress.update(++done, total);
			}
		}
	}
}
