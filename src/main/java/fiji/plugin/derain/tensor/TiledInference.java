package fiji.plugin.derain.tensor;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import net.imglib2.RandomAccessible;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs a {@link NetworkFunction} over an RGB image of any size, tile by tile, with memory bounded by the tile size.
 * <p>
 * Source and target are X, Y, C intervals with 3 channels (R, G, B) and values in [0, 1], of equal dimensions
 * (mins may differ; positions are {@code long}, so images larger than a Java array work, e.g. a {@code CellImg}
 * target). The target receives values in [0, 1] through {@code setReal}: use a floating-point type or a scaled view
 * such as {@link ImageBridge#frame}.
 * <p>
 * How tiles are laid out (see {@link TileAxis}): the image is mirror-extended ({@code Views.extendMirrorSingle},
 * torch's "reflect") to multiples of 4, and tiny images to at least 8 pixels (what the network's reflection padding
 * needs at a quarter of the size); windows of {@code tileSize} start at multiples of 4 inside that; a tile
 * contributes only where it has at least {@code overlap} pixels of context toward its neighbours, and neighbours
 * cross-fade with a cosine ramp at least {@code blend} pixels wide. A tile size of at least the image is the
 * whole-image mode (one tile, mirror-padded to multiples of 4, cropped back).
 * <p>
 * Exact at any tile size: a network that runs in row bands ({@link NetworkFunction#banded}; GT-RAIN's does, see
 * {@link BandedNetwork}) gets the whole image in bands of about 2 · {@code tileSize}² pixels whenever the image is
 * larger than one tile: every layer's whole output is kept in the temporary folder, so the result equals the
 * whole-image result up to float rounding, for any weights, however far GT-RAIN's deformable convs read, and
 * {@code overlap} plays no part. Other networks run tile by tile, and {@code overlap} must cover their receptive field.
 * <p>
 * Memory: one band's (or tile's) tensors, in a sub-manager of the given manager closed after each; for tiles also a
 * buffer of one tile row ({@code 3 x image width x tile size} floats).
 * <p>
 * Out of memory: if a tile fails with a {@link java.lang.OutOfMemoryError} or an {@link EngineException} that reports
 * a failed allocation (anywhere in the cause chain), the whole image is redone with half the tile size, down to
 * {@code minTileSize}, and the listener is told. DJL's PyTorch engine turns every libtorch error,
 * {@code c10::OutOfMemoryError} included, into a plain {@code EngineException} that keeps only libtorch's message, so
 * the message is all there is to tell an allocation failure ("CUDA out of memory", "DefaultCPUAllocator: not enough
 * memory", ...) from any other engine error, which is rethrown at once. {@link Builder#optOutOfMemory} replaces the
 * test.
 */
public final class TiledInference {

	/** Default window size, pixels per side. */
	public static final int DEFAULT_TILE_SIZE = 512;
	/**
	 * Default context margin for networks that run tile by tile, 96 px: at least GT-RAIN's receptive-field radius on its
	 * regular sampling grid, 92 px (7×7 conv 3, 3×3 conv 1, two stride-2 3×3 convs 1 + 2, 18 deformable 3×3 convs at
	 * stride 4: 72, bilinear ×2 from stride 4: 4, two 3×3 convs at stride 2: 4, bilinear ×2 from stride 2: 2, three 3×3
	 * convs: 3). Learned offsets sample further, which is why GT-RAIN runs in bands instead.
	 */
	public static final int DEFAULT_OVERLAP = 96;
	/** Default minimum cross-fade width between neighbouring tiles. */
	public static final int DEFAULT_BLEND = 32;
	/** Default smallest tile size tried after out-of-memory errors. */
	public static final int DEFAULT_MIN_TILE_SIZE = 64;
	/** Largest window side: 3 × 16384² floats is the largest tile copy that fits one Java array. */
	public static final int MAX_TILE_SIZE = 16384;

	/** Told the number of finished tiles after each tile; {@code total} changes if the image is restarted. */
	@FunctionalInterface
	public interface Progress {
		void update(long done, long total);
	}

	private final NetworkFunction network;
	private final NDManager manager;
	private final int tileSize, overlap, blend, minTileSize;
	private final Progress progress;
	private final Consumer<String> log;
	private final BooleanSupplier cancelled;
	private final Predicate<Throwable> outOfMemory;

	private TiledInference(Builder b) {
		network = b.network;
		manager = b.manager;
		tileSize = b.tileSize;
		overlap = b.overlap;
		blend = b.blend;
		minTileSize = b.minTileSize;
		progress = b.progress;
		log = b.log;
		cancelled = b.cancelled;
		outOfMemory = b.outOfMemory;
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Derains {@code source} into {@code target} (both X, Y, C, 3 channels, [0, 1], equal dimensions).
	 *
	 * @return the tile size finally used (smaller than asked after out-of-memory retries; the padded image size in
	 *         whole-image mode)
	 * @throws CancellationException if the cancel test said so before a tile; the target is then partly written
	 */
	public int run(RandomAccessibleInterval<? extends RealType<?>> source, RandomAccessibleInterval<? extends RealType<?>> target) {
		long w = source.dimension(0), h = source.dimension(1);
		ImageBridge.checkRgbInterval(source, w, h, "source image");
		ImageBridge.checkRgbInterval(target, w, h, "target image (same size as the source)");
		long whole = Math.max(TileAxis.paddedSize(w), TileAxis.paddedSize(h));
		int tile = (int) Math.min(Math.min(tileSize, MAX_TILE_SIZE) / 4 * 4, whole);
		// Zero-min views: ImgLib2 8.0.0's mirror extension steps off the image on fwd() at positions beyond 2^31
		// (seen with a view translated by 3e9), and nothing here needs absolute positions.
		RandomAccessibleInterval<? extends RealType<?>> src = Views.zeroMin(source), dst = Views.zeroMin(target);
		while (true) {
			try {
				pass(src, dst, tile);
				return tile;
			} catch (RuntimeException | OutOfMemoryError e) {
				if (!outOfMemory.test(e)) throw e;
				int next = tile / 2 / 4 * 4;
				if (next < minTileSize) {
					log.accept("Out of memory at tile " + tile + ", the smallest allowed (" + minTileSize + "): giving up");
					throw e;
				}
				log.accept("Out of memory at tile " + tile + ", retrying with " + next + " (" + e + ")");
				tile = next;
			}
		}
	}

	/** One pass over the image with windows of {@code tile} (a multiple of 4). */
	private void pass(RandomAccessibleInterval<? extends RealType<?>> source,
		RandomAccessibleInterval<? extends RealType<?>> target, int tile) {
		long w = source.dimension(0), h = source.dimension(1);
		BandedNetwork banded = network.banded();
		if (banded != null && (TileAxis.paddedSize(w) > tile || TileAxis.paddedSize(h) > tile)) {
			bandedPass(banded, source, target, tile);
			return;
		}
		int[] marginBlend = fitContext(tile, w, h);
		TileAxis ax = TileAxis.of(w, tile, marginBlend[0], marginBlend[1]);
		TileAxis ay = TileAxis.of(h, tile, marginBlend[0], marginBlend[1]);
		RandomAccessible<? extends RealType<?>> extended = extend(source);
		float[][] wx = new float[ax.count()][];
		for (int i = 0; i < ax.count(); i++) wx[i] = ax.weights(i);
		RowAccumulator rows = new RowAccumulator(w);
		long total = (long) ax.count() * ay.count(), done = 0;
		for (int j = 0; j < ay.count(); j++) {
			float[] wy = ay.weights(j);
			for (int i = 0; i < ax.count(); i++) {
				if (cancelled.getAsBoolean())
					throw new CancellationException("cancelled after " + done + " of " + total + " tiles");
				rows.add(tile(extended, ax, i, ay, j), ax.window, ay.window, ax.start(i), ax.lo(i), ax.hi(i), wx[i], ay.start(j),
					ay.lo(j), ay.hi(j), wy);
				progress.update(++done, total);
			}
			rows.flush(j + 1 < ay.count() ? ay.lo(j + 1) : h, target);
		}
	}

	/**
	 * One pass of a {@link BandedNetwork} over the image mirror-extended to multiples of 4, in bands of about
	 * 2 · {@code tile}² pixels: exact whatever the band size, no overlap needed.
	 */
	private void bandedPass(BandedNetwork banded, RandomAccessibleInterval<? extends RealType<?>> source,
		RandomAccessibleInterval<? extends RealType<?>> target, int tile) {
		long w = source.dimension(0), h = source.dimension(1);
		long pw = TileAxis.paddedSize(w), ph = TileAxis.paddedSize(h);
		RandomAccessible<? extends RealType<?>> extended = extend(source);
		banded.run(manager, pw, ph, bandRows(tile, pw, ph),
			(m, y0, y1) -> Tensors.toTensor(m, Views.interval(extended, new long[] {0, y0, 0}, new long[] {pw - 1, y1 - 1, 2})),
			(band, y0) -> {
				long n = Math.min(band.getShape().get(2), h - y0);
				if (n <= 0) return;
				Tensors.fromTensor(band.get(new NDIndex(":, :, 0:{}, 0:{}", n, w)),
					Views.interval(target, new long[] {0, y0, 0}, new long[] {w - 1, y0 + n - 1, 2}));
			}, progress, cancelled);
	}

	/**
	 * Full-resolution rows per band for a tile size: about 2 · tile² pixels, a multiple of 8, and at least 64 (thinner
	 * bands would spend more on the 8–16 rows of context that the encoder and decoder read around each band than on
	 * the band itself).
	 */
	static long bandRows(int tile, long paddedWidth, long paddedHeight) {
		long rows = 2L * tile * tile / paddedWidth / 8 * 8;
		return Math.min(Math.max(MIN_BAND_ROWS, rows), (paddedHeight + 7) / 8 * 8);
	}

	/** Fewest rows per band (unless the image has fewer). */
	static final int MIN_BAND_ROWS = 64;

	/** Tile (i, j)'s output over its window, CHW floats in [0, 1]. */
	private float[] tile(RandomAccessible<? extends RealType<?>> extended, TileAxis x, int i, TileAxis y, int j) {
		long x0 = x.start(i), y0 = y.start(j);
		long[] min = { x0, y0, 0 };
		long[] max = { x0 + x.window - 1, y0 + y.window - 1, 2 };
		try (NDManager tileManager = manager.newSubManager()) {
			NDArray input = Tensors.toTensor(tileManager, Views.interval(extended, min, max));
			NDArray out = network.apply(input, x0, y0, x.padded, y.padded);
			if (out == null) throw new IllegalStateException("the network returned no output");
			out.attach(tileManager);
			return Tensors.toUnit(out, y.window, x.window);
		}
	}

	/**
	 * Context margin and blend width for a tile size: as configured, or scaled down (and said so) when they would
	 * take more than three quarters of a tile, so that tiles always advance by at least a quarter of their size.
	 */
	private int[] fitContext(int tile, long w, long h) {
		int m = overlap, b = blend;
		boolean tiled = TileAxis.paddedSize(w) > tile || TileAxis.paddedSize(h) > tile;
		int room = tile / 4 * 3;
		if (tiled && 2 * m + b > room) {
			double f = (double) room / (2 * m + b);
			m = (int) (m * f);
			b = (int) (b * f);
			log.accept("Tile " + tile + " is small for overlap " + overlap + " and blend " + blend + ": using overlap " + m
				+ " and blend " + b);
		}
		return new int[] { m, b };
	}

	/**
	 * Mirror extension (torch's "reflect"). A 1-pixel axis has nothing to mirror, and ImgLib2's mirror access walks off
	 * such an axis on {@code fwd}, so that case repeats the pixel instead, which is what mirroring it would give.
	 */
	private static RandomAccessible<? extends RealType<?>> extend(RandomAccessibleInterval<? extends RealType<?>> source) {
		if (source.dimension(0) < 2 || source.dimension(1) < 2) return Views.extendBorder(source);
		return Views.extendMirrorSingle(source);
	}

	/**
	 * Default out-of-memory test: an {@link OutOfMemoryError}, or an {@link EngineException} whose message is one of
	 * libtorch's allocation failures (CUDA, MPS, XPU "out of memory"; CPU "not enough memory" / "can't allocate
	 * memory"), in the cause chain.
	 */
	public static boolean isOutOfMemory(Throwable t) {
		for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause())
			if (c instanceof OutOfMemoryError
				|| c instanceof EngineException && c.getMessage() != null && ALLOCATION_FAILED.matcher(c.getMessage()).find())
				return true;
		return false;
	}

	private static final java.util.regex.Pattern ALLOCATION_FAILED = java.util.regex.Pattern.compile(
		"out of memory|not enough memory|can(?:'|no)t allocate memory", java.util.regex.Pattern.CASE_INSENSITIVE);

	/** Builder: {@code set...} for required values, {@code opt...} for optional ones; checked in {@link #build()}. */
	public static final class Builder {
		private NetworkFunction network;
		private NDManager manager;
		private int tileSize = DEFAULT_TILE_SIZE, overlap = DEFAULT_OVERLAP, blend = DEFAULT_BLEND;
		private int minTileSize = DEFAULT_MIN_TILE_SIZE;
		private Progress progress = (done, total) -> {};
		private Consumer<String> log = message -> {};
		private BooleanSupplier cancelled = () -> false;
		private Predicate<Throwable> outOfMemory = TiledInference::isOutOfMemory;

		private Builder() {}

		/** The network, called once per tile. */
		public Builder setNetwork(NetworkFunction network) {
			this.network = network;
			return this;
		}

		/** Parent of the per-tile managers; its device is where the tiles go. Not closed here. */
		public Builder setManager(NDManager manager) {
			this.manager = manager;
			return this;
		}

		/**
		 * Window size in pixels per side (rounded down to a multiple of 4); default 512. The working size and memory
		 * bound: banded networks run bands of about 2 · tileSize² pixels, others tiles of this size.
		 */
		public Builder optTileSize(int tileSize) {
			this.tileSize = tileSize;
			return this;
		}

		/** One window for the whole image (still halved on out-of-memory errors). */
		public Builder optWholeImage() {
			return optTileSize(MAX_TILE_SIZE);
		}

		/**
		 * Context every contributing pixel has toward a neighbouring tile; default {@value #DEFAULT_OVERLAP}. Only for
		 * networks that run tile by tile (banded ones need none).
		 */
		public Builder optOverlap(int overlap) {
			this.overlap = overlap;
			return this;
		}

		/** Minimum cross-fade width between neighbouring tiles; default {@value #DEFAULT_BLEND}. */
		public Builder optBlend(int blend) {
			this.blend = blend;
			return this;
		}

		/** Smallest tile size tried after out-of-memory errors; default {@value #DEFAULT_MIN_TILE_SIZE}. */
		public Builder optMinTileSize(int minTileSize) {
			this.minTileSize = minTileSize;
			return this;
		}

		public Builder optProgress(Progress progress) {
			this.progress = Objects.requireNonNull(progress, "progress");
			return this;
		}

		/** Receives human-readable notes such as "Out of memory at tile 512, retrying with 256". */
		public Builder optLog(Consumer<String> log) {
			this.log = Objects.requireNonNull(log, "log");
			return this;
		}

		/** Asked before every tile; {@code true} stops the run with a {@link CancellationException}. */
		public Builder optCancelled(BooleanSupplier cancelled) {
			this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
			return this;
		}

		/** Which failures count as out-of-memory and trigger a retry with half the tile size. */
		public Builder optOutOfMemory(Predicate<Throwable> outOfMemory) {
			this.outOfMemory = Objects.requireNonNull(outOfMemory, "outOfMemory");
			return this;
		}

		public TiledInference build() {
			if (network == null) throw new IllegalArgumentException("no network given (setNetwork)");
			if (manager == null) throw new IllegalArgumentException("no NDManager given (setManager)");
			if (tileSize < 16) throw new IllegalArgumentException("tile size must be at least 16, got " + tileSize);
			if (overlap < 0) throw new IllegalArgumentException("overlap must not be negative, got " + overlap);
			if (blend < 0) throw new IllegalArgumentException("blend must not be negative, got " + blend);
			if (minTileSize < 16)
				throw new IllegalArgumentException("minimum tile size must be at least 16, got " + minTileSize);
			return new TiledInference(this);
		}
	}
}
