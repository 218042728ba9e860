package fiji.plugin.derain.train;

import java.util.Random;

/**
 * The one random stream of a training run: SplitMix64 (Steele, Lea, Flood 2014), whose whole state is one
 * {@code long} that can be saved in a checkpoint and restored, so a resumed run draws exactly the numbers the
 * uninterrupted run would have drawn. ({@link java.util.SplittableRandom} cannot export its state.)
 *
 * <p>It extends {@link Random} so that components written against {@code Random} (the rain synthesizer's
 * {@link RainLayerSource}) consume this stream; every method that draws goes through {@link #nextLong()}.
 * {@link #nextGaussian()} keeps no cached second value (unlike {@code Random}), so the state really is one
 * long. Not thread-safe: one run, one thread draws.
 */
public final class TrainRandom extends Random {
	private static final long serialVersionUID = 1L;
	private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

	/** No field initializer: {@code Random}'s constructor calls {@link #setSeed} before it would run. */
	private long state;

	/** A stream starting from {@code seed} (the same seed always gives the same stream). */
	public TrainRandom(long seed) {
		super(seed);
	}

	/** A stream continuing from an exported {@link #state()}. */
	public static TrainRandom fromState(long state) {
		return new TrainRandom(state);
	}

	/** The whole state; {@code fromState(state())} continues this stream exactly. */
	public long state() {
		return state;
	}

	@Override
	public void setSeed(long seed) {
		state = seed;
	}

	@Override
	public long nextLong() {
		long z = (state += GOLDEN_GAMMA);
		z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
		z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
		return z ^ (z >>> 31);
	}

	@Override
	protected int next(int bits) {
		return (int) (nextLong() >>> (64 - bits));
	}

	/** Uniform in [0, 1) with 53 random bits. */
	@Override
	public double nextDouble() {
		return (nextLong() >>> 11) * 0x1.0p-53;
	}

	/** Uniform in [0, 1) with 24 random bits. */
	@Override
	public float nextFloat() {
		return (nextLong() >>> 40) * 0x1.0p-24f;
	}

	@Override
	public boolean nextBoolean() {
		return nextLong() < 0;
	}

	/** Standard normal (Marsaglia's polar method; the second value is discarded so no state is cached). */
	@Override
	public double nextGaussian() {
		double u, v, s;
		do {
			u = 2 * nextDouble() - 1;
			v = 2 * nextDouble() - 1;
			s = u * u + v * v;
		} while (s >= 1 || s == 0);
		return u * Math.sqrt(-2 * Math.log(s) / s);
	}

	/** Uniform in [0, bound), without modulo bias. */
	@Override
	public int nextInt(int bound) {
		if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
		// 2^64 mod bound draws at the top of the range would favour small values: they are retried
		long excess = (Long.remainderUnsigned(-1L, bound) + 1) % bound;
		while (true) {
			long r = nextLong();
			if (excess == 0 || Long.compareUnsigned(r, -excess) < 0) return (int) Long.remainderUnsigned(r, bound);
		}
	}

	/** Uniform in [origin, bound). */
	@Override
	public int nextInt(int origin, int bound) {
		if (origin >= bound) throw new IllegalArgumentException("empty range [" + origin + ", " + bound + ")");
		return origin + nextInt(bound - origin);
	}
}
