package fiji.plugin.derain.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;

import org.junit.jupiter.api.Test;

class RainParamsTest {

	/** Builds defaults with one bad value and returns the message. */
	private static String failure(Function<RainParams.Builder, RainParams.Builder> bad) {
		return assertThrows(IllegalArgumentException.class, () -> bad.apply(RainParams.builder()).build())
			.getMessage();
	}

	@Test
	void invalidValuesNameTheParameterAndItsRange() {
		String m = failure(b -> b.optDensity(-1));
		assertTrue(m.contains("density") && m.contains("[0, 50000]") && m.contains("-1"), m);
		m = failure(b -> b.optLength(0.5));
		assertTrue(m.contains("length") && m.contains("[1, 1000]"), m);
		m = failure(b -> b.optLengthJitter(1));
		assertTrue(m.contains("lengthJitter") && m.contains("[0, 0.95]"), m);
		m = failure(b -> b.optAngle(95));
		assertTrue(m.contains("angle") && m.contains("[-80, 80]") && m.contains("95"), m);
		m = failure(b -> b.optAngleJitter(-2));
		assertTrue(m.contains("angleJitter"), m);
		m = failure(b -> b.optWidth(0));
		assertTrue(m.contains("width") && m.contains("(0, 32]"), m);
		m = failure(b -> b.optBrightness(1.5));
		assertTrue(m.contains("brightness") && m.contains("[0, 1]"), m);
		m = failure(b -> b.optBrightnessJitter(Double.NaN));
		assertTrue(m.contains("brightnessJitter") && m.contains("NaN"), m);
		m = failure(b -> b.optMotionBlur(-1));
		assertTrue(m.contains("motionBlur"), m);
		m = failure(b -> b.optDefocus(51));
		assertTrue(m.contains("defocus") && m.contains("[0, 50]"), m);
		m = failure(b -> b.optDepthLayers(0));
		assertTrue(m.contains("depthLayers") && m.contains("[1, 8]"), m);
		m = failure(b -> b.optTransmission(0));
		assertTrue(m.contains("transmission") && m.contains("(0, 1]"), m);
		m = failure(b -> b.optAtmosphericLight(-0.1));
		assertTrue(m.contains("atmosphericLight"), m);
	}

	@Test
	void presetsAreValidAndGrowHeavier() {
		RainParams.Preset[] p = RainParams.Preset.values();
		for (int i = 1; i < p.length; i++) {
			assertTrue(p[i].params().density() > p[i - 1].params().density(), p[i].id());
			assertTrue(p[i].params().length() > p[i - 1].params().length(), p[i].id());
			assertTrue(p[i].params().transmission() < p[i - 1].params().transmission(), p[i].id());
		}
		assertEquals(RainParams.Preset.MEDIUM.params(), RainParams.defaults());
		assertEquals(RainParams.Preset.STORM, RainParams.Preset.parse(" Storm "));
		String m = assertThrows(IllegalArgumentException.class, () -> RainParams.Preset.parse("drizzle")).getMessage();
		assertTrue(m.contains("drizzle") && m.contains("light | medium | heavy | storm"), m);
	}

	@Test
	void builderRoundTripsAndWithSeedChangesOnlyTheSeed() {
		RainParams p = RainParams.Preset.HEAVY.params();
		assertEquals(p, p.toBuilder().build());
		RainParams q = p.withSeed(42);
		assertEquals(42, q.seed());
		assertEquals(p, q.withSeed(p.seed()));
	}

	@Test
	void scalingForWidthKeepsTheLookOfTheReferenceImage() {
		RainParams p = RainParams.Preset.MEDIUM.params();
		assertEquals(p, p.scaledForWidth(RainParams.REFERENCE_WIDTH));
		RainParams big = p.scaledForWidth(2048);
		assertEquals(2 * p.length(), big.length(), 1e-12);
		assertEquals(2 * p.width(), big.width(), 1e-12);
		assertEquals(2 * p.motionBlur(), big.motionBlur(), 1e-12);
		assertEquals(2 * p.defocus(), big.defocus(), 1e-12);
		// twice the width, four times the area: the same number of streaks per image
		assertEquals(p.density() / 4, big.density(), 1e-9);
		assertEquals(p.angle(), big.angle());
		assertEquals(p.transmission(), big.transmission());
		// tiny images clamp into the valid ranges instead of failing
		RainParams tiny = p.scaledForWidth(8);
		assertEquals(1, tiny.length());
		assertEquals(RainParams.MAX_DENSITY, tiny.density());
	}
}
