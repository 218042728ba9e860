package fiji.plugin.derain.synth;

import java.util.SplittableRandom;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Seeded rain synthesizer: renders a rain-streak layer {@code M} and composes a rainy image
 * {@code I = veil(screen(J, M))} from a clean image {@code J}, where {@code screen(J, M) = J + M − J·M}
 * (the rain-layer blend of GT-RAIN's augmentation, DESIGN §2) and {@code veil(x) = x·t + A·(1−t)}.
 * <p>
 * Streaks are anti-aliased line segments: a Gaussian cross-section (FWHM = width) times a trapezoidal
 * profile along the streak, which is exactly the segment convolved with a box of the motion-blur length
 * along the streak's own direction (at least 1 px, which anti-aliases the ends). Overlapping streaks and
 * depth planes combine by the screen blend too ({@code 1 − Π(1 − m)}), so the layer stays in [0, 1]
 * without clipping. Each depth plane is then defocused with its own Gaussian sigma.
 * <p>
 * Everything is single-threaded and driven by one {@link SplittableRandom} seeded with
 * {@link RainParams#seed()}: the same parameters give bit-identical output on every run and machine.
 * Methods are static and thread-safe; they never keep or modify their inputs, and the returned arrays
 * belong to the caller.
 */
public final class RainSynthesizer {

	/** FWHM of a Gaussian divided by its sigma, {@code 2·sqrt(2·ln 2)}. */
	private static final double FWHM_PER_SIGMA = 2.3548200450309493;

	/** Cross-sections are cut at this many sigmas (the Gaussian is 0.011 there). */
	private static final double CUTOFF_SIGMAS = 3;

	private RainSynthesizer() {}

	/**
	 * Renders the rain-streak layer {@code M}: one channel, values in [0, 1], row-major
	 * ({@code index = y·width + x}), length {@code width·height}. Veil parameters are ignored here.
	 *
	 * @param width image width in pixels, at least 1
	 * @param height image height in pixels, at least 1
	 * @param p streak parameters and seed
	 * @return a new array owned by the caller
	 */
	public static float[] streakLayer(int width, int height, RainParams p) {
		checkSize(width, height, 1);
		if (p == null) throw new IllegalArgumentException("rain parameters must be given");
		SplittableRandom rng = new SplittableRandom(p.seed());
		float[] layer = new float[width * height];
		float[] plane = new float[width * height];
		float[] scratch = p.defocus() > 0 ? new float[width * height] : null;
		int planes = p.depthLayers();
		double[] share = depthShares(planes);
		for (int k = 0; k < planes; k++) {
			if (k > 0) java.util.Arrays.fill(plane, 0f);
			double s = depthScale(k, planes);
			drawPlane(plane, width, height, p, s, share[k], rng);
			if (scratch != null) gaussianBlur(plane, scratch, width, height, p.defocus() * s);
			screenInto(layer, plane);
		}
		return layer;
	}

	/**
	 * Makes a rainy image from a clean one given as planes.
	 *
	 * @param planes clean image, {@code planes[c][y·width + x]}, any number of channels (1 gray, 3 RGB),
	 *            values in [0, 1] (clamped to it first); not modified
	 * @param width image width
	 * @param height image height
	 * @param p rain parameters
	 * @return rainy image and rain layer; the rain layer is the same for every channel (rain is gray)
	 */
	public static RainResult apply(float[][] planes, int width, int height, RainParams p) {
		if (planes == null || planes.length == 0) throw new IllegalArgumentException("the clean image has no channels");
		checkSize(width, height, planes.length);
		float[] planar = new float[width * height * planes.length];
		for (int c = 0; c < planes.length; c++) {
			if (planes[c] == null || planes[c].length != width * height)
				throw new IllegalArgumentException("channel " + c + " of the clean image must hold width·height = "
					+ width * height + " values, has " + (planes[c] == null ? "none" : planes[c].length));
			System.arraycopy(planes[c], 0, planar, c * width * height, width * height);
		}
		return apply(planar, width, height, planes.length, p);
	}

	/**
	 * Makes a rainy image from a clean ImgLib2 image.
	 *
	 * @param image clean image, axes XY or XYC (any number of channels), values in [0, 1] (clamped to it
	 *            first); any interval min is fine; not modified
	 * @param p rain parameters
	 * @return rainy image and rain layer
	 */
	public static RainResult apply(RandomAccessibleInterval<FloatType> image, RainParams p) {
		if (image == null) throw new IllegalArgumentException("the clean image must be given");
		int n = image.numDimensions();
		if (n != 2 && n != 3)
			throw new IllegalArgumentException("the clean image must have axes XY or XYC, has " + n + " dimensions");
		long w = image.dimension(0), h = image.dimension(1), c = n == 3 ? image.dimension(2) : 1;
		if (w * h * c > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("the clean image is too large: " + w + "×" + h + "×" + c);
		checkSize((int) w, (int) h, (int) c);
		float[] planar = new float[(int) (w * h * c)];
		int i = 0;
		// flat iteration order is x fastest, then y, then c: exactly the planar layout
		for (FloatType t : Views.flatIterable(image))
			planar[i++] = t.get();
		return apply(planar, (int) w, (int) h, (int) c, p);
	}

	/**
	 * Makes a rainy image from a clean planar image.
	 *
	 * @param planar clean image, channel-major planes, {@code planar[(c·height + y)·width + x]} (the layout
	 *            of an ImgLib2 {@code ArrayImg} XYC), values in [0, 1] (clamped to it first); not modified
	 * @param width image width
	 * @param height image height
	 * @param channels number of channels
	 * @param p rain parameters
	 * @return rainy image (same layout) and rain layer
	 */
	public static RainResult apply(float[] planar, int width, int height, int channels, RainParams p) {
		checkSize(width, height, channels);
		if (planar == null || planar.length != width * height * channels)
			throw new IllegalArgumentException("the clean image must hold width·height·channels = "
				+ width * height * channels + " values, has " + (planar == null ? "none" : planar.length));
		if (p == null) throw new IllegalArgumentException("rain parameters must be given");
		float[] layer = streakLayer(width, height, p);
		float[] rainy = new float[planar.length];
		composite(planar, layer, channels, p.transmission(), p.atmosphericLight(), rainy);
		return new RainResult(width, height, channels, rainy, layer);
	}

	/**
	 * {@code out = clamp(veil(screen(clamp(J), M)))} for every channel, with
	 * {@code veil(x) = x·t + A·(1−t)}; with {@code M = 0} this is exactly {@code clamp(J)·t + A·(1−t)} in
	 * float arithmetic, and with {@code t = 1} it is exactly the screen blend.
	 *
	 * @param clean planar image, length {@code channels·layer.length}
	 * @param layer rain layer, one plane, values in [0, 1]
	 * @param channels number of planes in {@code clean}
	 * @param transmission veil transmission t in (0, 1]
	 * @param atmosphericLight veil gray level A in [0, 1]
	 * @param out planar result, same length as {@code clean}; may be {@code clean} itself
	 */
	public static void composite(float[] clean, float[] layer, int channels, double transmission,
		double atmosphericLight, float[] out)
	{
		int n = layer.length;
		if (clean.length != n * channels || out.length != clean.length)
			throw new IllegalArgumentException("image, layer and output sizes disagree: " + clean.length + ", "
				+ n + "×" + channels + ", " + out.length);
		if (!(transmission > 0 && transmission <= 1) || !(atmosphericLight >= 0 && atmosphericLight <= 1))
			throw new IllegalArgumentException("transmission must be in (0, 1] and atmosphericLight in [0, 1], got "
				+ transmission + " and " + atmosphericLight);
		float t = (float) transmission;
		float veil = (float) (atmosphericLight * (1 - transmission));
		for (int c = 0; c < channels; c++) {
			int o = c * n;
			for (int i = 0; i < n; i++) {
				float j = clamp01(clean[o + i]);
				// J + M − J·M written as J + M·(1 − J): never below J in float arithmetic
				float s = j + layer[i] * (1f - j);
				out[o + i] = clamp01(s * t + veil);
			}
		}
	}

	/**
	 * Screen-blends a rain layer onto an image in place, {@code I ← I + M − I·M} per channel, the
	 * rain-layer augmentation of training (DESIGN §2). Values are not clamped: for I and M in [0, 1] the
	 * result stays in [0, 1].
	 *
	 * @param planar image planes, {@code planar[(c·H + y)·W + x]}, length {@code channels·layer.length}
	 * @param channels number of planes
	 * @param layer rain layer, one plane
	 */
	public static void screenInPlace(float[] planar, int channels, float[] layer) {
		int n = layer.length;
		if (planar.length != n * channels)
			throw new IllegalArgumentException("image holds " + planar.length + " values, expected layer size "
				+ n + " × " + channels + " channels");
		for (int c = 0; c < channels; c++)
			screenInto(planar, c * n, layer);
	}

	// --- rendering ---------------------------------------------------------------------------------

	/** Size factor of depth plane k of n (0 farthest): 0.5 … 1.5, or 1 for a single plane. */
	static double depthScale(int k, int n) {
		return n == 1 ? 1 : 0.5 + k / (double) (n - 1);
	}

	/** Fraction of all streaks in each plane, ∝ 1/scale² (far planes cover more rain per pixel). */
	private static double[] depthShares(int n) {
		double[] w = new double[n];
		double sum = 0;
		for (int k = 0; k < n; k++) {
			double s = depthScale(k, n);
			w[k] = 1 / (s * s);
			sum += w[k];
		}
		for (int k = 0; k < n; k++)
			w[k] /= sum;
		return w;
	}

	/** Draws one depth plane's streaks, scaled by {@code s}, into {@code plane}. */
	private static void drawPlane(float[] plane, int width, int height, RainParams p, double s, double share,
		SplittableRandom rng)
	{
		double maxLength = p.length() * (1 + p.lengthJitter()) * s;
		double blur = p.motionBlur() * s;
		double fwhm = p.width() * s;
		// centres may lie outside the image by the largest half-extent, so edges get their share of streaks
		double margin = (maxLength + Math.max(blur, 1)) / 2 + CUTOFF_SIGMAS * Math.max(fwhm, 1) / FWHM_PER_SIGMA;
		double extW = width + 2 * margin, extH = height + 2 * margin;
		double expected = p.density() * share * extW * extH / 1e6;
		// stochastic rounding keeps the expected count exact for small images and low densities
		long count = (long) Math.floor(expected);
		if (rng.nextDouble() < expected - count) count++;
		double planeBrightness = p.brightness() * (0.5 + 0.5 * s);
		for (long i = 0; i < count; i++) {
			double cx = -margin + rng.nextDouble() * extW;
			double cy = -margin + rng.nextDouble() * extH;
			double length = p.length() * s * (1 + p.lengthJitter() * (2 * rng.nextDouble() - 1));
			double angle = Math.toRadians(p.angle() + p.angleJitter() * (2 * rng.nextDouble() - 1));
			double b = planeBrightness * (1 + p.brightnessJitter() * (2 * rng.nextDouble() - 1));
			drawStreak(plane, width, height, cx, cy, angle, length, blur, fwhm, Math.min(1, b));
		}
	}

	/**
	 * Screen-adds one streak centred at (cx, cy) (pixel centres are at integer coordinates).
	 * Intensity at a pixel with along/across offsets (u, v) is
	 * {@code amp · min(plateau, max(0, (L+B)/2 − |u|) / B) · exp(−v²/2σ²)}, the segment of length L convolved
	 * with a normalised box of length B, times the Gaussian cross-section.
	 */
	static void drawStreak(float[] plane, int width, int height, double cx, double cy, double angle,
		double length, double motionBlur, double fwhm, double brightness)
	{
		double dx = Math.sin(angle), dy = Math.cos(angle); // along the streak; the normal is (dy, −dx)
		double profileFwhm = Math.max(fwhm, 1);
		double amp = brightness * fwhm / profileFwhm; // sub-pixel streaks: same profile, less energy
		double sigma = profileFwhm / FWHM_PER_SIGMA;
		double inv2s2 = 1 / (2 * sigma * sigma);
		double r = CUTOFF_SIGMAS * sigma;
		double box = Math.max(motionBlur, 1);
		double halfOut = (length + box) / 2;
		double plateau = Math.min(length, box) / box;
		double invBox = 1 / box;

		double extentY = halfOut * Math.abs(dy) + r * Math.abs(dx);
		int y0 = Math.max(0, (int) Math.ceil(cy - extentY));
		int y1 = Math.min(height - 1, (int) Math.floor(cy + extentY));
		for (int y = y0; y <= y1; y++) {
			double oy = y - cy;
			// u = ox·dx + oy·dy within ±halfOut, v = ox·dy − oy·dx within ±r: intersect the two x-intervals
			double lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;
			double[] iv = slab(oy * dy, dx, halfOut);
			if (iv == null) continue;
			lo = Math.max(lo, iv[0]);
			hi = Math.min(hi, iv[1]);
			iv = slab(-oy * dx, dy, r);
			if (iv == null) continue;
			lo = Math.max(lo, iv[0]);
			hi = Math.min(hi, iv[1]);
			int x0 = Math.max(0, (int) Math.ceil(cx + lo));
			int x1 = Math.min(width - 1, (int) Math.floor(cx + hi));
			int row = y * width;
			for (int x = x0; x <= x1; x++) {
				double ox = x - cx;
				double u = Math.abs(ox * dx + oy * dy);
				double v = ox * dy - oy * dx;
				double along = Math.min(plateau, (halfOut - u) * invBox);
				if (along <= 0) continue;
				float m = (float) (amp * along * Math.exp(-v * v * inv2s2));
				float old = plane[row + x];
				plane[row + x] = old + m * (1f - old);
			}
		}
	}

	/** The offsets ox with |alpha + beta·ox| ≤ half, or null if none. */
	private static double[] slab(double alpha, double beta, double half) {
		if (Math.abs(beta) < 1e-12)
			return Math.abs(alpha) <= half ? new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY} : null;
		double a = (-half - alpha) / beta, b = (half - alpha) / beta;
		return a <= b ? new double[] {a, b} : new double[] {b, a};
	}

	/** {@code dst ← dst + src − dst·src}, element-wise. */
	private static void screenInto(float[] dst, float[] src) {
		screenInto(dst, 0, src);
	}

	private static void screenInto(float[] dst, int offset, float[] src) {
		for (int i = 0; i < src.length; i++) {
			float d = dst[offset + i];
			dst[offset + i] = d + src[i] * (1f - d);
		}
	}

	/**
	 * Separable Gaussian blur in place, edges clamped (so a constant stays constant and values stay in the
	 * input's range). {@code scratch} has the image's size.
	 */
	static void gaussianBlur(float[] img, float[] scratch, int width, int height, double sigma) {
		if (sigma <= 0) return;
		int radius = Math.max(1, (int) Math.ceil(3 * sigma));
		float[] k = new float[2 * radius + 1];
		double sum = 0;
		for (int i = -radius; i <= radius; i++)
			sum += Math.exp(-i * i / (2 * sigma * sigma));
		for (int i = -radius; i <= radius; i++)
			k[i + radius] = (float) (Math.exp(-i * i / (2 * sigma * sigma)) / sum);
		// horizontal pass: img -> scratch
		for (int y = 0; y < height; y++) {
			int row = y * width;
			for (int x = 0; x < width; x++) {
				float acc = 0;
				for (int i = -radius; i <= radius; i++) {
					int xx = Math.min(width - 1, Math.max(0, x + i));
					acc += k[i + radius] * img[row + xx];
				}
				scratch[row + x] = acc;
			}
		}
		// vertical pass: scratch -> img
		for (int y = 0; y < height; y++) {
			int row = y * width;
			for (int i = -radius; i <= radius; i++) {
				int src = Math.min(height - 1, Math.max(0, y + i)) * width;
				float ki = k[i + radius];
				if (i == -radius) {
					for (int x = 0; x < width; x++)
						img[row + x] = ki * scratch[src + x];
				}
				else {
					for (int x = 0; x < width; x++)
						img[row + x] += ki * scratch[src + x];
				}
			}
		}
		// rounding of the float kernel sum may exceed 1 by an ulp; the layer must stay in [0, 1]
		for (int i = 0; i < img.length; i++)
			if (img[i] > 1f) img[i] = 1f;
	}

	private static float clamp01(float v) {
		return v < 0f ? 0f : v > 1f ? 1f : v;
	}

	private static void checkSize(int width, int height, int channels) {
		if (width < 1 || height < 1 || channels < 1)
			throw new IllegalArgumentException("image size must be at least 1×1 with 1 channel, got " + width + "×"
				+ height + "×" + channels);
		if ((long) width * height * channels > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("image too large for one array: " + width + "×" + height + "×" + channels);
	}
}
