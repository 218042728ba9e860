package fiji.plugin.derain.tensor;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted sums of tile outputs for the image rows that are still receiving contributions: at most one tile row's
 * worth ({@code 3 x width x window height} floats), never the whole image. Rows are numbered from 0 (the target's
 * min) and handed to the target once no later tile touches them; their arrays are then recycled.
 */
final class RowAccumulator {
	private final int width;
	/** rows[k] holds row {@code first + k}, channel-major: {@code [c * width + x]}. */
	private final List<float[]> rows = new ArrayList<>();
	private final ArrayDeque<float[]> spare = new ArrayDeque<>();
	private long first;

	RowAccumulator(long width) {
		if (3 * width > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("image width " + width + " is too large for the tile-row buffer");
		this.width = (int) width;
	}

	/**
	 * Adds {@code wy[ky] * wx[kx] * unit} of a tile output for rows {@code [y0, y1)} and columns {@code [x0, x1)}.
	 *
	 * @param unit the tile's output, CHW, {@code windowH x windowW} per channel, in [0, 1]
	 * The window starts at column {@code sx}, row {@code sy}; {@code wx} and {@code wy} are indexed from there.
	 */
	void add(float[] unit, int windowW, int windowH, long sx, long x0, long x1, float[] wx, long sy, long y0, long y1,
		float[] wy) {
		int plane = windowW * windowH;
		for (long y = y0; y < y1; y++) {
			int ky = (int) (y - sy);
			float weightY = wy[ky];
			float[] row = row(y);
			for (int c = 0; c < 3; c++) {
				int src = c * plane + ky * windowW;
				int dst = c * width;
				for (long x = x0; x < x1; x++) {
					int kx = (int) (x - sx);
					row[dst + (int) x] += weightY * wx[kx] * unit[src + kx];
				}
			}
		}
	}

	/** Writes rows {@code [first, end)} to {@code target} (X, Y, C with 3 channels) and forgets them. */
	void flush(long end, RandomAccessibleInterval<? extends RealType<?>> target) {
		RandomAccess<? extends RealType<?>> access = target.randomAccess();
		long[] pos = new long[3];
		while (first < end) {
			float[] row = rows.isEmpty() ? null : rows.remove(0);
			for (int c = 0; c < 3; c++) {
				pos[0] = target.min(0);
				pos[1] = target.min(1) + first;
				pos[2] = target.min(2) + c;
				access.setPosition(pos);
				for (int x = 0; x < width; x++) {
					access.get().setReal(row == null ? 0 : row[c * width + x]);
					access.fwd(0);
				}
			}
			if (row != null) spare.push(row);
			first++;
		}
	}

	private float[] row(long y) {
		if (y < first) throw new IllegalStateException("row " + y + " was already written");
		while (rows.size() <= y - first) {
			float[] row = spare.poll();
			if (row == null) row = new float[3 * width];
			else Arrays.fill(row, 0f);
			rows.add(row);
		}
		return rows.get((int) (y - first));
	}
}
