package fiji.plugin.derain.synth;

import java.util.Locale;

/**
 * Parameters of the rain synthesizer: what the streaks look like, how the rain veils the scene, and the
 * seed that makes a rendering reproducible.
 * <p>
 * <b>Units.</b> Lengths, widths, blur and defocus are <em>absolute pixels of the image being rendered</em>,
 * because that is what a user sees at 100 % zoom and what a training crop sees (a 256×256 crop of a photo
 * keeps the photo's streak size). The presets are tuned for photos of about one megapixel (1024 px wide).
 * For another size call {@link #scaledForWidth(int)}, which rescales everything so the picture looks the
 * same as the preset does on a {@value #REFERENCE_WIDTH}-px-wide image. Density is per megapixel, so it
 * does not depend on image size in absolute mode.
 * <p>
 * <b>Geometry.</b> Angles are degrees from vertical; a positive angle makes the rain fall toward the lower
 * right (streak direction {@code (sin a, cos a)} with x to the right and y down). "Jitter" is the half-width
 * of a uniform distribution around the mean: relative ({@code mean·(1 ± j)}) for length and brightness,
 * in degrees for the angle.
 * <p>
 * <b>Depth.</b> Streaks are drawn in {@code depthLayers} planes: the given length, width, brightness,
 * motion blur and defocus describe the middle plane; the nearest plane's streaks are 1.5× as long, wide,
 * blurred and defocused (and 1.25× as bright), the farthest plane's 0.5× (0.75× as bright), and far planes
 * hold more streaks (count ∝ 1/scale²) because a far slab of rain covers more of the view.
 * The total is {@code density} streaks per megapixel. With {@code depthLayers == 1} all streaks are the
 * middle plane.
 * <p>
 * <b>Veil.</b> Rain accumulation is {@code I = J·t + A·(1−t)} with one transmission {@code t} for the whole
 * image (depth-free: we do not know the scene depth) and a gray atmospheric light {@code A}; {@code t = 1}
 * turns the veil off.
 *
 * @param density streaks per megapixel, in [0, {@value #MAX_DENSITY}]
 * @param length mean streak length in pixels, in [1, 1000]
 * @param lengthJitter relative half-range of the length, in [0, 0.95]
 * @param angle mean angle in degrees from vertical (positive: falling toward the lower right), in [-80, 80]
 * @param angleJitter half-range of the angle in degrees, in [0, 45]
 * @param width full width at half maximum of the streak cross-section in pixels, in (0, 32]; below 1 px a
 *            streak keeps a 1-px profile and gets proportionally dimmer (so it stays anti-aliased)
 * @param brightness peak intensity of an unblurred streak, in [0, 1]
 * @param brightnessJitter relative half-range of the brightness, in [0, 1]
 * @param motionBlur length in pixels of a box blur along each streak's own direction, in [0, 1000]; it
 *            conserves energy, so it softens the ends and dims streaks shorter than the blur
 * @param defocus sigma in pixels of a Gaussian blur of the streak layer, in [0, 50]
 * @param depthLayers number of depth planes, in [1, 8]
 * @param transmission veil transmission t, in (0, 1]; 1 = no veil
 * @param atmosphericLight gray level A of the veil, in [0, 1]
 * @param seed seed of the random generator; equal parameters and seed give bit-identical output
 */
public record RainParams(double density, double length, double lengthJitter, double angle, double angleJitter,
	double width, double brightness, double brightnessJitter, double motionBlur, double defocus,
	int depthLayers, double transmission, double atmosphericLight, long seed) {

	/** Image width, in pixels, that the presets are tuned for; see {@link #scaledForWidth(int)}. */
	public static final int REFERENCE_WIDTH = 1024;

	/** Upper bound of {@link #density()}, streaks per megapixel. */
	public static final double MAX_DENSITY = 50_000;

	public RainParams {
		check("density", density, 0, MAX_DENSITY, "streaks per megapixel");
		check("length", length, 1, 1000, "pixels");
		check("lengthJitter", lengthJitter, 0, 0.95, "relative half-range");
		check("angle", angle, -80, 80, "degrees from vertical");
		check("angleJitter", angleJitter, 0, 45, "degrees");
		if (!(width > 0 && width <= 32))
			throw new IllegalArgumentException(message("width", width, "(0, 32]", "pixels (FWHM)"));
		check("brightness", brightness, 0, 1, "intensity");
		check("brightnessJitter", brightnessJitter, 0, 1, "relative half-range");
		check("motionBlur", motionBlur, 0, 1000, "pixels");
		check("defocus", defocus, 0, 50, "pixels (Gaussian sigma)");
		if (depthLayers < 1 || depthLayers > 8)
			throw new IllegalArgumentException(message("depthLayers", depthLayers, "[1, 8]", "planes"));
		if (!(transmission > 0 && transmission <= 1))
			throw new IllegalArgumentException(message("transmission", transmission, "(0, 1]", "1 = no veil"));
		check("atmosphericLight", atmosphericLight, 0, 1, "gray level");
	}

	/** Named starting points; all have angle 0 except the windy ones. */
	public enum Preset {
		/** Sparse, short, faint drizzle; almost no veil. */
		LIGHT(new RainParams(400, 18, 0.4, 0, 4, 1.1, 0.30, 0.4, 5, 0, 3, 0.97, 0.8, 0)),
		/** Ordinary rain. */
		MEDIUM(new RainParams(1200, 28, 0.4, 0, 6, 1.4, 0.40, 0.35, 8, 0.3, 3, 0.92, 0.8, 0)),
		/** Dense, long streaks with a visible veil and a little wind. */
		HEAVY(new RainParams(3000, 40, 0.45, 10, 8, 1.8, 0.45, 0.3, 12, 0.6, 3, 0.82, 0.82, 0)),
		/** Very dense, slanted downpour with a strong veil. */
		STORM(new RainParams(4500, 55, 0.5, 25, 10, 2.2, 0.45, 0.3, 16, 1.0, 4, 0.70, 0.85, 0));

		private final RainParams params;

		Preset(RainParams params) {
			this.params = params;
		}

		/** The preset's parameters, seed 0 (use {@link RainParams#withSeed(long)}). */
		public RainParams params() {
			return params;
		}

		/** The lower-case name users type ({@code light}, {@code medium}, ...). */
		public String id() {
			return name().toLowerCase(Locale.ROOT);
		}

		/** Case-insensitive lookup; the message lists the allowed names. */
		public static Preset parse(String name) {
			for (Preset p : values())
				if (p.name().equalsIgnoreCase(name == null ? "" : name.trim())) return p;
			throw new IllegalArgumentException("unknown rain preset '" + name + "': use light | medium | heavy | storm");
		}
	}

	/** The default parameters: {@link Preset#MEDIUM}, seed 0. */
	public static RainParams defaults() {
		return Preset.MEDIUM.params();
	}

	/** A builder starting from {@link #defaults()}. */
	public static Builder builder() {
		return new Builder(defaults());
	}

	/** A builder starting from these parameters. */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/** These parameters with another seed. */
	public RainParams withSeed(long newSeed) {
		return toBuilder().optSeed(newSeed).build();
	}

	/**
	 * These parameters rescaled for an image {@code imageWidth} pixels wide, so that it looks like these
	 * parameters on a {@value #REFERENCE_WIDTH}-px image resized to that width: lengths, widths, motion
	 * blur and defocus scale by {@code s = imageWidth / 1024}, density by {@code 1/s²} (the same number of
	 * streaks per image). Values are clamped into their allowed ranges.
	 *
	 * @param imageWidth width of the image to render, at least 1
	 */
	public RainParams scaledForWidth(int imageWidth) {
		if (imageWidth < 1) throw new IllegalArgumentException("imageWidth must be at least 1, got " + imageWidth);
		double s = imageWidth / (double) REFERENCE_WIDTH;
		return toBuilder()
			.optDensity(Math.min(MAX_DENSITY, density / (s * s)))
			.optLength(clamp(length * s, 1, 1000))
			.optWidth(clamp(width * s, 1e-3, 32))
			.optMotionBlur(Math.min(1000, motionBlur * s))
			.optDefocus(Math.min(50, defocus * s))
			.build();
	}

	private static double clamp(double v, double lo, double hi) {
		return Math.max(lo, Math.min(hi, v));
	}

	private static void check(String name, double value, double lo, double hi, String unit) {
		// written as !(in range) so that NaN is rejected too
		if (!(value >= lo && value <= hi))
			throw new IllegalArgumentException(message(name, value, "[" + fmt(lo) + ", " + fmt(hi) + "]", unit));
	}

	private static String message(String name, double value, String range, String unit) {
		return "rain parameter " + name + " must be in " + range + " (" + unit + "), got " + fmt(value);
	}

	private static String fmt(double v) {
		return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
	}

	/**
	 * Mutable builder, DJL style ({@code optXxx}); {@link #build()} validates through the record's
	 * constructor, so a bad value fails there with the parameter's name.
	 */
	public static final class Builder {
		private double density, length, lengthJitter, angle, angleJitter, width, brightness, brightnessJitter,
			motionBlur, defocus, transmission, atmosphericLight;
		private int depthLayers;
		private long seed;

		private Builder(RainParams p) {
			density = p.density;
			length = p.length;
			lengthJitter = p.lengthJitter;
			angle = p.angle;
			angleJitter = p.angleJitter;
			width = p.width;
			brightness = p.brightness;
			brightnessJitter = p.brightnessJitter;
			motionBlur = p.motionBlur;
			defocus = p.defocus;
			depthLayers = p.depthLayers;
			transmission = p.transmission;
			atmosphericLight = p.atmosphericLight;
			seed = p.seed;
		}

		public Builder optDensity(double v) { density = v; return this; }
		public Builder optLength(double v) { length = v; return this; }
		public Builder optLengthJitter(double v) { lengthJitter = v; return this; }
		public Builder optAngle(double v) { angle = v; return this; }
		public Builder optAngleJitter(double v) { angleJitter = v; return this; }
		public Builder optWidth(double v) { width = v; return this; }
		public Builder optBrightness(double v) { brightness = v; return this; }
		public Builder optBrightnessJitter(double v) { brightnessJitter = v; return this; }
		public Builder optMotionBlur(double v) { motionBlur = v; return this; }
		public Builder optDefocus(double v) { defocus = v; return this; }
		public Builder optDepthLayers(int v) { depthLayers = v; return this; }
		public Builder optTransmission(double v) { transmission = v; return this; }
		public Builder optAtmosphericLight(double v) { atmosphericLight = v; return this; }
		public Builder optSeed(long v) { seed = v; return this; }

		/** Turns the veil off ({@code transmission = 1}). */
		public Builder optNoVeil() { transmission = 1; return this; }

		/** Validated parameters; throws {@link IllegalArgumentException} naming the bad parameter. */
		public RainParams build() {
			return new RainParams(density, length, lengthJitter, angle, angleJitter, width, brightness,
				brightnessJitter, motionBlur, defocus, depthLayers, transmission, atmosphericLight, seed);
		}
	}
}
