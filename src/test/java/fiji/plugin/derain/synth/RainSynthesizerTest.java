package fiji.plugin.derain.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

class RainSynthesizerTest {

	private static final int W = 256, H = 192;

	/** Medium rain with the veil off. */
	private static RainParams.Builder rain() {
		return RainParams.builder().optNoVeil().optSeed(7);
	}

	/** A random clean image whose values are multiples of 1/256, so veil arithmetic is exact. */
	private static float[] dyadicImage(int channels, long seed) {
		SplittableRandom r = new SplittableRandom(seed);
		float[] img = new float[W * H * channels];
		for (int i = 0; i < img.length; i++)
			img[i] = r.nextInt(257) / 256f;
		return img;
	}

	@Test
	void sameSeedGivesIdenticalOutputAndAnotherSeedDiffers() {
		RainParams p = RainParams.Preset.STORM.params().withSeed(123);
		float[] clean = dyadicImage(3, 1);
		RainResult a = RainSynthesizer.apply(clean, W, H, 3, p);
		RainResult b = RainSynthesizer.apply(clean, W, H, 3, p);
		assertArrayEquals(a.layer(), b.layer());
		assertArrayEquals(a.rainy(), b.rainy());
		float[] other = RainSynthesizer.streakLayer(W, H, p.withSeed(124));
		assertFalse(Arrays.equals(a.layer(), other));
	}

	@Test
	void zeroDensityGivesAZeroLayerAndExactlyTheVeiledImage() {
		double t = 0.75, a = 0.5;
		RainParams p = RainParams.Preset.HEAVY.params().toBuilder().optDensity(0).optTransmission(t)
			.optAtmosphericLight(a).build();
		float[] clean = dyadicImage(3, 2);
		RainResult r = RainSynthesizer.apply(clean, W, H, 3, p);
		for (float m : r.layer())
			assertEquals(0f, m);
		for (int i = 0; i < clean.length; i++)
			assertEquals(clean[i] * t + a * (1 - t), r.rainy()[i], 0.0, "pixel " + i);
	}

	@Test
	void veilFollowsTheFormulaOnAConstantImage() {
		float[] clean = new float[W * H];
		Arrays.fill(clean, 0.5f);
		RainParams noRain = rain().optDensity(0).optTransmission(0.75).optAtmosphericLight(0.25).build();
		for (float v : RainSynthesizer.apply(clean, W, H, 1, noRain).rainy())
			assertEquals(0.4375f, v); // 0.5·0.75 + 0.25·0.25
		// with rain: the veil applies after the screen blend, I = (J + M − J·M)·t + A·(1 − t)
		RainParams withRain = noRain.toBuilder().optDensity(3000).build();
		RainResult r = RainSynthesizer.apply(clean, W, H, 1, withRain);
		int lit = 0;
		for (int i = 0; i < clean.length; i++) {
			double m = r.layer()[i];
			assertEquals((0.5 + m - 0.5 * m) * 0.75 + 0.25 * 0.25, r.rainy()[i], 1e-6);
			if (m > 0.05) lit++;
		}
		assertTrue(lit > clean.length / 50, "too few rain pixels: " + lit);
	}

	@Test
	void screenBlendNeverDarkensAndMatchesTheFormula() {
		float[] clean = dyadicImage(3, 3);
		RainResult r = RainSynthesizer.apply(clean, W, H, 3, RainParams.Preset.STORM.params().toBuilder().optNoVeil()
			.build());
		int brighter = 0;
		for (int c = 0; c < 3; c++)
			for (int i = 0; i < W * H; i++) {
				float j = clean[c * W * H + i], m = r.layer()[i], out = r.rainy()[c * W * H + i];
				assertTrue(out >= j, "darkened at " + i);
				assertEquals(j + m - j * m, out, 1e-6);
				if (out > j) brighter++;
			}
		assertTrue(brighter > W * H, "rain should brighten many pixels, brightened " + brighter);
	}

	@Test
	void layerStaysInTheUnitRangeEvenWhenSaturated() {
		RainParams p = RainParams.builder().optDensity(RainParams.MAX_DENSITY).optBrightness(1).optWidth(6)
			.optDefocus(1.5).build();
		float[] m = RainSynthesizer.streakLayer(W, H, p);
		float max = 0;
		for (float v : m) {
			assertTrue(v >= 0f && v <= 1f, "out of range: " + v);
			max = Math.max(max, v);
		}
		assertTrue(max > 0.9f, "dense bright rain should nearly saturate, max " + max);
	}

	@Test
	void measuredOrientationMatchesTheRequestedAngle() {
		for (double angle : new double[] {0, 20, -30, 45}) {
			// medium rain with its default angle jitter (±6°) and three depth planes
			float[] m = RainSynthesizer.streakLayer(512, 512, rain().optAngle(angle).optDensity(2000).build());
			double measured = LayerMeasures.orientationDegrees(m, 512, 512);
			assertEquals(angle, measured, 2.0, "requested " + angle + "°, measured " + measured + "°");
		}
	}

	@Test
	void meanIntensityIncreasesWithDensity() {
		double previous = -1;
		double[] means = new double[4];
		double[] densities = {250, 1000, 4000, 16000};
		for (int i = 0; i < densities.length; i++) {
			means[i] = LayerMeasures.mean(RainSynthesizer.streakLayer(512, 512, rain().optDensity(densities[i]).build()));
			assertTrue(means[i] > previous, "density " + densities[i] + " gave mean " + means[i]);
			previous = means[i];
		}
		// sparse rain adds almost linearly (overlaps are rare): 4× the streaks, about 4× the mean
		assertEquals(4, means[1] / means[0], 0.8);
	}

	@Test
	void measuredLengthGrowsWithTheLengthParameter() {
		for (double angle : new double[] {0, 20}) {
			double previous = 0;
			for (double length : new double[] {10, 20, 40}) {
				RainParams p = rain().optAngle(angle).optAngleJitter(0).optLength(length).optLengthJitter(0)
					.optMotionBlur(0).optDepthLayers(1).optDensity(300).optDefocus(0).build();
				float[] m = RainSynthesizer.streakLayer(512, 512, p);
				double half = LayerMeasures.halfCorrelationLag(m, 512, 512, angle);
				// a segment of length L has a triangular autocorrelation along itself: 0.5 at lag L/2
				assertEquals(length / 2, half, 0.2 * length / 2, "angle " + angle + ", length " + length);
				assertTrue(half > previous);
				previous = half;
			}
		}
	}

	@Test
	void singleStreakHasTheDocumentedProfile() {
		int w = 41, h = 61;
		float[] plane = new float[w * h];
		double fwhm = 2, length = 20, brightness = 0.8;
		RainSynthesizer.drawStreak(plane, w, h, 20, 30, 0, length, 0, fwhm, brightness);
		double sigma = fwhm / (2 * Math.sqrt(2 * Math.log(2)));
		// centre, one pixel across, and the plateau along the streak
		assertEquals(brightness, plane[30 * w + 20], 1e-6);
		assertEquals(brightness * Math.exp(-1 / (2 * sigma * sigma)), plane[30 * w + 21], 1e-6);
		assertEquals(brightness, plane[21 * w + 20], 1e-6);
		// a 1-px box smooths the ends: half intensity exactly at the nominal end, |u| = L/2
		assertEquals(brightness / 2, plane[40 * w + 20], 1e-6);
		assertEquals(0f, plane[41 * w + 20]);
		// column sum = brightness · L along the axis
		double column = 0;
		for (int y = 0; y < h; y++)
			column += plane[y * w + 20];
		assertEquals(brightness * length, column, 1e-4);
	}

	@Test
	void motionBlurSpreadsAStreakAlongItsDirectionAndKeepsItsEnergy() {
		int w = 81, h = 121;
		float[] sharp = new float[w * h], blurred = new float[w * h];
		double angle = Math.toRadians(20);
		RainSynthesizer.drawStreak(sharp, w, h, 40, 60, angle, 30, 0, 1.5, 0.3);
		RainSynthesizer.drawStreak(blurred, w, h, 40, 60, angle, 30, 20, 1.5, 0.3);
		double sumSharp = 0, sumBlurred = 0;
		for (int i = 0; i < sharp.length; i++) {
			sumSharp += sharp[i];
			sumBlurred += blurred[i];
		}
		assertEquals(sumSharp, sumBlurred, 1e-3 * sumSharp);
		// the blurred streak reaches (L + B)/2 = 25 px from the centre along its axis, the sharp one 15.5
		int x = (int) Math.round(40 + 22 * Math.sin(angle)), y = (int) Math.round(60 + 22 * Math.cos(angle));
		assertEquals(0f, sharp[y * w + x]);
		assertTrue(blurred[y * w + x] > 0.02f, "blur should extend the streak: " + blurred[y * w + x]);
		// a blur shorter than the streak keeps the plateau; a longer one spreads it: peak · L / B
		assertEquals(0.3, blurred[60 * w + 40], 1e-6);
		float[] longBlur = new float[w * h];
		RainSynthesizer.drawStreak(longBlur, w, h, 40, 60, angle, 30, 60, 1.5, 0.3);
		assertEquals(0.3 * 30 / 60, longBlur[60 * w + 40], 1e-6);
	}

	@Test
	void defocusSoftensTheLayerWithoutMovingTheRain() {
		RainParams sharp = rain().optDefocus(0).optDepthLayers(1).build();
		float[] a = RainSynthesizer.streakLayer(W, H, sharp);
		float[] b = RainSynthesizer.streakLayer(W, H, sharp.toBuilder().optDefocus(2).build());
		assertEquals(LayerMeasures.mean(a), LayerMeasures.mean(b), 0.02 * LayerMeasures.mean(a));
		assertTrue(LayerMeasures.gradientEnergy(b, W, H) < 0.5 * LayerMeasures.gradientEnergy(a, W, H));
	}

	@Test
	void imglib2AndPlaneEntryPointsAgreeWithThePlanarOne() {
		RainParams p = RainParams.Preset.HEAVY.params().withSeed(5);
		float[] clean = dyadicImage(3, 4);
		RainResult planar = RainSynthesizer.apply(clean, W, H, 3, p);

		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(clean.clone(), W, H, 3);
		// an interval that does not start at the origin must work too
		RainResult viaImg = RainSynthesizer.apply(Views.translate(img, 10, -3, 0), p);
		assertArrayEquals(planar.rainy(), viaImg.rainy());
		assertArrayEquals(planar.layer(), viaImg.layer());

		float[][] planes = new float[3][];
		for (int c = 0; c < 3; c++)
			planes[c] = Arrays.copyOfRange(clean, c * W * H, (c + 1) * W * H);
		RainResult viaPlanes = RainSynthesizer.apply(planes, W, H, p);
		assertArrayEquals(planar.rainy(), viaPlanes.rainy());
		assertArrayEquals(planar.rainyPlane(2), viaPlanes.rainyPlane(2));

		// the result wraps its arrays as XYC: pixel (x, y, c) is rainy[(c·H + y)·W + x]
		Cursor<FloatType> cur = planar.rainyImg().localizingCursor();
		while (cur.hasNext()) {
			float v = cur.next().get();
			int x = cur.getIntPosition(0), y = cur.getIntPosition(1), c = cur.getIntPosition(2);
			assertEquals(planar.rainy()[(c * H + y) * W + x], v);
		}
		assertEquals(2, RainSynthesizer.apply(ArrayImgs.floats(W, H), p).rainyImg().numDimensions());
	}

	@Test
	void inputIsNotModifiedAndBadInputIsExplained() {
		float[] clean = dyadicImage(1, 6);
		float[] copy = clean.clone();
		RainSynthesizer.apply(clean, W, H, 1, RainParams.defaults());
		assertArrayEquals(copy, clean);
		String m = assertThrows(IllegalArgumentException.class,
			() -> RainSynthesizer.apply(clean, W, H, 3, RainParams.defaults())).getMessage();
		assertTrue(m.contains("width·height·channels"), m);
		m = assertThrows(IllegalArgumentException.class, () -> RainSynthesizer.streakLayer(0, 5, RainParams.defaults()))
			.getMessage();
		assertTrue(m.contains("0×5"), m);
		m = assertThrows(IllegalArgumentException.class,
			() -> RainSynthesizer.apply(ArrayImgs.floats(4, 4, 3, 2), RainParams.defaults())).getMessage();
		assertTrue(m.contains("XY or XYC"), m);
	}
}
