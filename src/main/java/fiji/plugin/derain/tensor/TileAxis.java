package fiji.plugin.derain.tensor;

/**
 * Where the tiles lie along one axis and how much each tile contributes to every position.
 * <p>
 * Positions count from 0 (the image's min). The image is treated as mirror-extended to {@code padded}, its size
 * rounded up to a multiple of 4 and to at least {@value #MIN_PADDED}, exactly as the whole-image path pads it, and every window lies inside
 * {@code [0, padded)} and starts at a multiple of 4. So each window sees the image border where the whole image
 * does, and the network's stride-2 grids stay in phase with the whole-image pass.
 * <p>
 * A tile contributes to {@code [lo, hi)}: at an interior edge that range stays {@code margin} pixels inside its
 * window (every contributing pixel has at least {@code margin} pixels of context); at the image borders it reaches
 * the border. Neighbouring ranges overlap by at least {@code blend} pixels, where the contributions cross-fade with a
 * cosine ramp. Weights are normalised so that they sum to exactly 1 at every position.
 */
final class TileAxis {
	/** Image extent along this axis. */
	final long size;
	/**
	 * Smallest padded extent: the network reflection-pads by 3 at full size and by 1 at a quarter size, which needs
	 * at least 4 and 2 pixels there, so tiny images are mirror-extended to 8 and cropped back.
	 */
	static final int MIN_PADDED = 8;

	/** {@link #size} rounded up to a multiple of 4 and to at least {@link #MIN_PADDED}. */
	final long padded;
	/** Window length (a multiple of 4): the tile size, or {@link #padded} if the axis needs only one tile. */
	final int window;
	private final long[] start, lo, hi;

	private TileAxis(long size, long padded, int window, long[] start, long[] lo, long[] hi) {
		this.size = size;
		this.padded = padded;
		this.window = window;
		this.start = start;
		this.lo = lo;
		this.hi = hi;
	}

	/**
	 * @param size image extent, at least 1
	 * @param tile window length, a positive multiple of 4
	 * @param margin context kept at interior edges, {@code >= 0}
	 * @param blend minimum cross-fade width, {@code >= 0}, with {@code tile - 2 margin - blend >= 4}
	 */
	static TileAxis of(long size, int tile, int margin, int blend) {
		long padded = paddedSize(size);
		if (padded <= tile) return new TileAxis(size, padded, (int) padded, new long[] { 0 }, new long[] { 0 }, new long[] { size });
		long stepUnits = (tile - 2L * margin - blend) / 4;
		if (stepUnits < 1)
			throw new IllegalArgumentException("tile " + tile + " leaves no room for overlap " + margin + " and blend " + blend);
		long units = (padded - tile) / 4;
		long steps = (units + stepUnits - 1) / stepUnits;
		if (steps + 1 > Integer.MAX_VALUE) throw new IllegalArgumentException("too many tiles along an axis of " + size);
		int n = (int) steps + 1;
		long[] start = new long[n], lo = new long[n], hi = new long[n];
		long q = units / steps, r = units % steps;
		for (int i = 0; i < n; i++) {
			// evenly spread in units of 4 pixels; r * i < steps^2 cannot overflow where q * i could not
			start[i] = 4 * (q * i + r * i / steps);
			lo[i] = i == 0 ? 0 : start[i] + margin;
			hi[i] = i == n - 1 ? size : Math.min(size, start[i] + tile - margin);
		}
		return new TileAxis(size, padded, tile, start, lo, hi);
	}

	int count() {
		return start.length;
	}

	/** First position of window {@code i}. */
	long start(int i) {
		return start[i];
	}

	/** First position tile {@code i} contributes to. */
	long lo(int i) {
		return lo[i];
	}

	/** One past the last position tile {@code i} contributes to. */
	long hi(int i) {
		return hi[i];
	}

	/**
	 * Normalised weights of tile {@code i} over its window: entry {@code k} belongs to position {@code start(i) + k};
	 * zero outside {@code [lo(i), hi(i))}.
	 */
	float[] weights(int i) {
		float[] w = new float[window];
		for (long x = lo[i]; x < hi[i]; x++) {
			double sum = raw(i, x);
			for (int j = i - 1; j >= 0 && hi[j] > x; j--) sum += raw(j, x);
			for (int j = i + 1; j < start.length && lo[j] <= x; j++) sum += raw(j, x);
			w[(int) (x - start[i])] = (float) (raw(i, x) / sum);
		}
		return w;
	}

	/** Unnormalised weight: fades in over the overlap with the previous tile, out over the one with the next. */
	private double raw(int j, long x) {
		double in = j > 0 ? ramp(x, lo[j], hi[j - 1]) : 1;
		double out = j < start.length - 1 ? 1 - ramp(x, lo[j + 1], hi[j]) : 1;
		return in * out;
	}

	/** 0 before {@code a}, 1 from {@code b} on, a raised-cosine step in between (sampled at pixel centres). */
	private static double ramp(long x, long a, long b) {
		if (x < a) return 0;
		if (x >= b) return 1;
		return 0.5 - 0.5 * Math.cos(Math.PI * (x - a + 0.5) / (b - a));
	}

	static long roundUp4(long v) {
		return (v + 3) / 4 * 4;
	}

	/** The extent the network sees for an image extent: a multiple of 4, at least {@link #MIN_PADDED}. */
	static long paddedSize(long size) {
		return Math.max(roundUp4(size), MIN_PADDED);
	}
}
