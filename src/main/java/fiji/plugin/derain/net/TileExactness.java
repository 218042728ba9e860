package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.ExactCells;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Follows, through one tile's eval forward pass, which pixels of the tile's quarter-resolution feature map are exact
 * (equal to the whole-image pass's), and from that which output pixels are. A deformable conv reads wherever its
 * learned offsets point, so how much context a tile needs depends on the weights and the image; this says, for the
 * offsets the tile actually had, which outputs could have read a pixel the tile does not know.
 * <p>
 * A pixel is inexact if it reads one: at an interior edge of the tile (not an image border), the reflection padding
 * and everything beyond the tile differ from the whole image; at an image border they do not. The encoder leaves
 * {@value #ENCODER_MARGIN} inexact quarter-resolution pixels at interior edges (7×7 and 3×3 convs at full size, two
 * stride-2 3×3 convs). A deformable conv's output pixel is exact iff the 3×3 neighbourhood its offset and mask convs
 * read is exact (so its offsets are the whole image's) and every corner its bilinear samples weigh is exact; this is
 * computed with the conv's own sampling ({@link DeformableConv2d#deformConv2d}) on the map of inexact pixels, so it
 * reads exactly the corners the conv read. A residual sum is exact where its branch is (the branch's 3×3
 * neighbourhoods contain the skip). The decoder's output pixel in quarter-resolution cell q reads cells
 * q−{@value #DECODER_BEFORE} … q+{@value #DECODER_AFTER} (align_corners upsampling and three 3×3 convs per stage; its
 * skips are exact there too). Every deformable conv's input must be the previous one's output (or the encoder's)
 * reflection-padded by 1, as in GT-RAIN's residual blocks.
 * <p>
 * Cost: per deformable conv one more deformable conv with one channel. Not thread-safe; arrays live in a
 * sub-manager of the tile's manager.
 */
final class TileExactness {
	/** Inexact quarter-resolution rows and columns the encoder leaves at an interior edge. */
	static final int ENCODER_MARGIN = 2;
	/** The decoder's output in quarter-resolution cell q reads cells q − DECODER_BEFORE … q + DECODER_AFTER. */
	static final int DECODER_BEFORE = 6, DECODER_AFTER = 4;
	/** Cell side at full resolution. */
	static final int CELL = 4;

	/** Interior (not image-border) sides of the tile. */
	private final boolean top, bottom, left, right;
	private final NDManager manager;
	private final int rows, columns;
	/** (1, 1, rows, columns): 1 where the current feature map may differ from the whole image's, else 0. */
	private NDArray inexact;

	/**
	 * @param tile the tile's manager (arrays live in a sub-manager of it until {@link #close})
	 * @param height the tile's height at full resolution, a multiple of 4
	 * @param width the tile's width at full resolution, a multiple of 4
	 */
	TileExactness(NDManager tile, long height, long width, TilePlacement p) {
		top = p.y0() > 0;
		left = p.x0() > 0;
		bottom = p.y0() + height < p.height();
		right = p.x0() + width < p.width();
		rows = Math.toIntExact(height / CELL);
		columns = Math.toIntExact(width / CELL);
		manager = tile.newSubManager();
		inexact = manager.zeros(new Shape(1, 1, rows, columns));
		markEdges(inexact, ENCODER_MARGIN);
	}

	/** True if the tile touches the image border on every side: then everything is exact and nothing is tracked. */
	boolean whole() {
		return !(top || bottom || left || right);
	}

	/** A deformable conv's offsets (1, 18, rows, columns); its input was the current map reflection-padded by 1. */
	void deformable(NDArray offset) {
		if (whole()) return;
		try (NDManager step = manager.newSubManager()) {
			step.tempAttachAll(new NDList(offset));
			NDArray padded = markEdges(ReflectionPad2d.pad(inexact, 1), 1);
			// one more ring: what a sample reads beyond the conv's input is 0 in both passes at an image border only
			NDArray ringed = markEdges(padded.pad(new Shape(1, 1, 1, 1), 0), 1);
			NDArray ones = step.ones(new Shape(1, 1, 3, 3));
			NDArray neighbours = DeformableConv2d.deformConv2d(padded, step.zeros(offset.getShape()),
				step.ones(new Shape(1, 9, rows, columns)), ones, null);
			NDArray samples = DeformableConv2d.deformConv2d(ringed, clampedOffsets(step, offset),
				step.ones(new Shape(1, 9, rows + 2, columns + 2)), ones, null)
				.get(new NDIndex(":, :, 1:{}, 1:{}", rows + 1, columns + 1));
			NDArray next = neighbours.add(samples).gt(0).toType(DataType.FLOAT32, false);
			next.attach(manager);
			inexact.close();
			inexact = next;
		}
	}

	/**
	 * Offsets for the ringed map (one pixel larger on every side, so one more output pixel on every side) that move
	 * every sample into the ring: a sample beyond the conv's input reads the ring, which says whether that is 0 in
	 * the whole image too.
	 */
	private NDArray clampedOffsets(NDManager m, NDArray offset) {
		NDArray shifts = offset.reshape(1, DeformableConv2d.TAPS, 2, rows, columns);
		NDArray tap = m.arange(0, DeformableConv2d.KERNEL, 1, DataType.FLOAT32);
		NDArray baseY = tap.repeat(DeformableConv2d.KERNEL).reshape(1, DeformableConv2d.TAPS, 1, 1)
			.add(m.arange(0, rows, 1, DataType.FLOAT32).reshape(1, 1, rows, 1));
		NDArray baseX = tap.tile(DeformableConv2d.KERNEL).reshape(1, DeformableConv2d.TAPS, 1, 1)
			.add(m.arange(0, columns, 1, DataType.FLOAT32).reshape(1, 1, 1, columns));
		// positions in the conv's input (rows + 2 high), kept within the ring: [-1, rows + 2]
		NDArray dy = shifts.get(":, :, 0").add(baseY).clip(-1, rows + 2).sub(baseY);
		NDArray dx = shifts.get(":, :, 1").add(baseX).clip(-1, columns + 2).sub(baseX);
		return NDArrays.stack(new NDList(dy, dx), 2).reshape(1, 2 * DeformableConv2d.TAPS, rows, columns)
			.pad(new Shape(1, 1, 1, 1), 0);
	}

	/** Sets the outer {@code width} rows and columns on the interior sides of {@code map} (1, 1, h, w) to 1. */
	private NDArray markEdges(NDArray map, int width) {
		long h = map.getShape().get(2), w = map.getShape().get(3);
		int wy = (int) Math.min(width, h), wx = (int) Math.min(width, w);
		if (top) map.set(new NDIndex(":, :, 0:{}", wy), 1f);
		if (bottom) map.set(new NDIndex(":, :, {}:", h - wy), 1f);
		if (left) map.set(new NDIndex(":, :, :, 0:{}", wx), 1f);
		if (right) map.set(new NDIndex(":, :, :, {}:", w - wx), 1f);
		return map;
	}

	/** Which output cells ({@value #CELL} px) are exact, given the residual blocks' output map is the current one. */
	ExactCells result() {
		boolean[] bad = new boolean[rows * columns];
		if (!whole()) {
			float[] v = inexact.toFloatArray();
			for (int i = 0; i < bad.length; i++) bad[i] = v[i] != 0;
		}
		// the decoder's window, separably: first along each row, then along each column
		boolean[] alongRows = new boolean[bad.length], any = new boolean[bad.length];
		for (int y = 0; y < rows; y++)
			for (int x = 0; x < columns; x++)
				alongRows[y * columns + x] = window(bad, y * columns, 1, x, columns, left, right);
		for (int y = 0; y < rows; y++)
			for (int x = 0; x < columns; x++)
				any[y * columns + x] = window(alongRows, x, columns, y, rows, top, bottom);
		boolean[] exact = new boolean[bad.length];
		for (int i = 0; i < exact.length; i++) exact[i] = !any[i];
		return new ExactCells(CELL, columns, rows, exact);
	}

	/**
	 * Whether any of cells {@code q − DECODER_BEFORE … q + DECODER_AFTER} along a line of {@code n} cells (at
	 * {@code first + i·stride}) is set; cells beyond the line count as set at an interior side and are skipped at an
	 * image border (the whole image clamps there too).
	 */
	private static boolean window(boolean[] cells, int first, int stride, int q, int n, boolean lowInterior,
		boolean highInterior) {
		if (q - DECODER_BEFORE < 0 && lowInterior || q + DECODER_AFTER >= n && highInterior) return true;
		for (int i = Math.max(0, q - DECODER_BEFORE); i <= Math.min(n - 1, q + DECODER_AFTER); i++)
			if (cells[first + i * stride]) return true;
		return false;
	}

	void close() {
		manager.close();
	}
}
