package fiji.plugin.derain.synth;

import java.util.SplittableRandom;

/**
 * Endless supply of random rain-streak layers for training augmentation: with probability
 * {@link #GTRAIN_MIX_PROBABILITY} a layer is screen-blended onto the rainy input ({@code I + M − I·M},
 * DESIGN §2), where GT-RAIN used layers cut from real streak photos.
 * <p>
 * Each layer draws a preset (light, medium, heavy, storm, equally likely) and then varies it: density
 * ×[0.6, 1.5], length ×[0.7, 1.4], brightness ×[0.8, 1.2], angle uniform in ±35°, and a fresh seed. The veil
 * is not part of a layer. All draws come from one {@link SplittableRandom}, so a bank built from a seed
 * replays the same sequence. Not thread-safe: give each worker its own bank ({@link #split()}).
 */
public final class RainLayerBank {

	/** GT-RAIN's probability of mixing a rain layer into a training input. */
	public static final double GTRAIN_MIX_PROBABILITY = 0.6;

	/** Largest |mean angle| drawn, degrees from vertical. */
	public static final double MAX_ANGLE = 35;

	private static final RainParams.Preset[] PRESETS = RainParams.Preset.values();

	private final SplittableRandom rng;

	/** A bank whose sequence of layers is fixed by {@code seed}. */
	public RainLayerBank(long seed) {
		this(new SplittableRandom(seed));
	}

	/** A bank drawing from {@code rng} (used, not copied: the caller's generator advances). */
	public RainLayerBank(SplittableRandom rng) {
		if (rng == null) throw new IllegalArgumentException("random generator must be given");
		this.rng = rng;
	}

	/** An independent bank for another worker, split off this one's generator. */
	public RainLayerBank split() {
		return new RainLayerBank(rng.split());
	}

	/** Random streak parameters (transmission 1, no veil) with a fresh seed. */
	public RainParams nextParams() {
		RainParams base = PRESETS[rng.nextInt(PRESETS.length)].params();
		return base.toBuilder()
			.optDensity(base.density() * uniform(0.6, 1.5))
			.optLength(base.length() * uniform(0.7, 1.4))
			.optBrightness(Math.min(1, base.brightness() * uniform(0.8, 1.2)))
			.optAngle(uniform(-MAX_ANGLE, MAX_ANGLE))
			.optNoVeil()
			.optSeed(rng.nextLong())
			.build();
	}

	/** A random rain layer, one plane in [0, 1], row-major, owned by the caller. */
	public float[] nextLayer(int width, int height) {
		return RainSynthesizer.streakLayer(width, height, nextParams());
	}

	/**
	 * With probability {@code probability}, screen-blends a fresh random layer onto {@code planar} in
	 * place (see {@link RainSynthesizer#screenInPlace}).
	 *
	 * @param planar image, channel-major planes {@code planar[(c·height + y)·width + x]}, values in [0, 1]
	 * @param width image width
	 * @param height image height
	 * @param channels number of planes
	 * @param probability chance of mixing, in [0, 1] ({@link #GTRAIN_MIX_PROBABILITY} in GT-RAIN)
	 * @return whether a layer was mixed in
	 */
	public boolean maybeMix(float[] planar, int width, int height, int channels, double probability) {
		if (!(probability >= 0 && probability <= 1))
			throw new IllegalArgumentException("mix probability must be in [0, 1], got " + probability);
		if (planar == null || planar.length != (long) width * height * channels)
			throw new IllegalArgumentException("image must hold width·height·channels = " + (long) width * height
				* channels + " values, has " + (planar == null ? "none" : planar.length));
		if (rng.nextDouble() >= probability) return false;
		RainSynthesizer.screenInPlace(planar, channels, nextLayer(width, height));
		return true;
	}

	private double uniform(double lo, double hi) {
		return lo + (hi - lo) * rng.nextDouble();
	}
}
