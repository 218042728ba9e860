package fiji.plugin.derain.train;

/**
 * GT-RAIN's training augmentation of one (rainy, clean) pair into a P×P patch (DESIGN §2), both images
 * transformed identically: a rotation by an angle drawn from N(0, σ) about a random centre, sampled
 * bilinearly so that the patch is the axis-aligned P×P square inside the rotated image (no zoom, no
 * empty corners while the image is large enough); horizontal and vertical flips, each with p = ½; and with
 * probability {@code rainProbability} a rain layer from {@link RainLayerSource} screen-blended onto the rainy
 * patch only ({@code I + M − I·M}). Where the square reaches past the image (images smaller than the
 * rotated patch's bounding box) the image is mirrored ("reflect" padding, edge pixel not repeated).
 *
 * <p>Without rotation the crop offset is a whole number of pixels, so patches are exact copies of image
 * pixels. Draws from the run's random stream in a fixed order: angle (only if σ &gt; 0), x offset, y offset,
 * horizontal flip, vertical flip, rain decision, then whatever the rain source draws.
 */
public final class Augmentation {
	private final int patch;
	private final double rotationStdRadians;
	private final double rainProbability;
	private final RainLayerSource rain;

	/**
	 * @param patch P, patch side in pixels
	 * @param rotationStdDegrees σ of the rotation angle in degrees (0 = never rotate)
	 * @param rainProbability probability of adding a rain layer, in [0, 1]
	 * @param rain source of rain layers; may be null only when {@code rainProbability} is 0
	 */
	public Augmentation(int patch, double rotationStdDegrees, double rainProbability, RainLayerSource rain) {
		if (patch < 1) throw new IllegalArgumentException("patch must be at least 1, got " + patch);
		if (rain == null && rainProbability > 0)
			throw new IllegalArgumentException("rain_probability is " + rainProbability
				+ " but no rain layer source was given (set rain_probability to 0 to train without added rain)");
		this.patch = patch;
		this.rotationStdRadians = Math.toRadians(rotationStdDegrees);
		this.rainProbability = rainProbability;
		this.rain = rain;
	}

	/** From a training config: patch, rotation σ and rain probability. */
	public static Augmentation of(TrainConfig config, RainLayerSource rain) {
		return new Augmentation(config.patchSize(), config.rotationStdDegrees(), config.rainProbability(), rain);
	}

	public int patch() {
		return patch;
	}

	/**
	 * Where a patch is cut from an image of a given size: the rotated square's centre, the angle and the flips. One
	 * crop can be applied to several frames of one scene ({@link #apply(RgbImage, RgbImage, Crop, TrainRandom, float[],
	 * float[], int)}), so that they show the same content.
	 */
	public record Crop(int width, int height, double centreX, double centreY, double angle, boolean flipX,
		boolean flipY) {
		/** True when this crop was drawn for images of {@code image}'s size. */
		boolean fits(RgbImage image) {
			return image.width() == width && image.height() == height;
		}
	}

	/** Draws a crop for a {@code width} × {@code height} image: angle (only if σ &gt; 0), x, y, flips. */
	public Crop crop(int width, int height, TrainRandom rng) {
		double angle = rotationStdRadians > 0 ? rng.nextGaussian() * rotationStdRadians : 0;
		// bounding box of the rotated P×P square: the image region the patch is sampled from
		int box = Math.max(patch, (int) Math.ceil(patch * (Math.abs(Math.cos(angle)) + Math.abs(Math.sin(angle))) - 1e-9));
		double centreX = corner(width, box, rng) + box / 2.0;
		double centreY = corner(height, box, rng) + box / 2.0;
		return new Crop(width, height, centreX, centreY, angle, rng.nextBoolean(), rng.nextBoolean());
	}

	/**
	 * Writes one augmented pair as planar RGB in [-1, 1] ({@code out[offset + c·P·P + y·P + x]}), from a crop drawn
	 * for it.
	 *
	 * @param rainy the rainy image, [0, 1]
	 * @param clean the clean image, same size as {@code rainy}
	 * @param rainyOut destination of the rainy patch (3·P·P values from {@code offset})
	 * @param cleanOut destination of the clean patch
	 */
	public void apply(RgbImage rainy, RgbImage clean, TrainRandom rng, float[] rainyOut, float[] cleanOut,
		int offset) {
		requireSameSize(rainy, clean);
		apply(rainy, clean, crop(rainy.width(), rainy.height(), rng), rng, rainyOut, cleanOut, offset);
	}

	/**
	 * {@link #apply(RgbImage, RgbImage, TrainRandom, float[], float[], int)} with a given crop (of the images' size);
	 * draws only the rain layer.
	 */
	public void apply(RgbImage rainy, RgbImage clean, Crop crop, TrainRandom rng, float[] rainyOut, float[] cleanOut,
		int offset) {
		requireSameSize(rainy, clean);
		if (!crop.fits(rainy))
			throw new IllegalArgumentException("a crop for " + crop.width() + "×" + crop.height() + " images applied to a "
				+ rainy.width() + "×" + rainy.height() + " image");
		double cos = Math.cos(crop.angle()), sin = Math.sin(crop.angle());
		double centreX = crop.centreX(), centreY = crop.centreY();
		boolean flipX = crop.flipX(), flipY = crop.flipY();
		float[] layer = null;
		if (rainProbability > 0 && rng.nextDouble() < rainProbability) {
			layer = rain.layer(patch, patch, rng);
			if (layer == null || layer.length != patch * patch)
				throw new IllegalStateException("the rain layer source returned " + (layer == null ? "nothing"
					: layer.length + " values") + " for a " + patch + "×" + patch + " layer");
		}
		Sampler s = new Sampler(rainy.width(), rainy.height());
		int plane = patch * patch;
		for (int v = 0; v < patch; v++) {
			// pixel centres relative to the patch centre, flipped in output space
			double dv = (flipY ? patch - 1 - v : v) + 0.5 - patch / 2.0;
			for (int u = 0; u < patch; u++) {
				double du = (flipX ? patch - 1 - u : u) + 0.5 - patch / 2.0;
				// continuous position of this pixel's centre; pixel i covers [i, i+1), so index = position − ½
				s.at(centreX + cos * du - sin * dv - 0.5, centreY + sin * du + cos * dv - 0.5);
				int o = v * patch + u;
				for (int c = 0; c < 3; c++) {
					float r = s.sample(rainy.pixels(), c);
					if (layer != null) r = r + layer[o] - r * layer[o];
					rainyOut[offset + c * plane + o] = 2 * r - 1;
					cleanOut[offset + c * plane + o] = 2 * s.sample(clean.pixels(), c) - 1;
				}
			}
		}
	}

	private static void requireSameSize(RgbImage rainy, RgbImage clean) {
		if (rainy.width() != clean.width() || rainy.height() != clean.height())
			throw new IllegalArgumentException("rainy and clean images differ in size: " + rainy.width() + "×"
				+ rainy.height() + " and " + clean.width() + "×" + clean.height());
	}

	/** Top-left of the sampled box: uniform over positions inside the image, or over paddings if it is larger. */
	private static int corner(int size, int box, TrainRandom rng) {
		return size >= box ? rng.nextInt(size - box + 1) : -rng.nextInt(box - size + 1);
	}

	/** Bilinear sampling with mirrored borders; {@link #at} sets the position, {@link #sample} reads a plane. */
	private static final class Sampler {
		final int w, h;
		int i00, i01, i10, i11;
		float wx, wy;

		Sampler(int w, int h) {
			this.w = w;
			this.h = h;
		}

		void at(double x, double y) {
			int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
			wx = (float) (x - x0);
			wy = (float) (y - y0);
			int xa = reflect(x0, w), xb = reflect(x0 + 1, w), ya = reflect(y0, h), yb = reflect(y0 + 1, h);
			i00 = ya * w + xa;
			i01 = ya * w + xb;
			i10 = yb * w + xa;
			i11 = yb * w + xb;
		}

		float sample(float[] planes, int c) {
			int base = c * w * h;
			float top = planes[base + i00] + wx * (planes[base + i01] - planes[base + i00]);
			float bottom = planes[base + i10] + wx * (planes[base + i11] - planes[base + i10]);
			return top + wy * (bottom - top);
		}
	}

	/** Mirror index into [0, n): …, 2, 1, 0, 1, 2, …, n−1, n−2, … (numpy/torch "reflect"). */
	static int reflect(int i, int n) {
		if (n == 1) return 0;
		int period = 2 * (n - 1);
		int m = Math.floorMod(i, period);
		return m < n ? m : period - m;
	}
}
