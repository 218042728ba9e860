package fiji.plugin.derain.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RainLayerBankTest {

	@Test
	void aSeedReplaysTheSameLayers() {
		RainLayerBank a = new RainLayerBank(99), b = new RainLayerBank(99), c = new RainLayerBank(100);
		for (int i = 0; i < 3; i++) {
			float[] la = a.nextLayer(64, 48);
			assertArrayEquals(la, b.nextLayer(64, 48));
			assertFalse(Arrays.equals(la, c.nextLayer(64, 48)));
		}
	}

	@Test
	void parametersVaryAcrossPresetsWithinTheDocumentedRanges() {
		RainLayerBank bank = new RainLayerBank(1);
		Set<Long> seeds = new java.util.HashSet<>();
		double minAngle = 0, maxAngle = 0;
		Set<RainParams.Preset> lengthsSeen = EnumSet.noneOf(RainParams.Preset.class);
		for (int i = 0; i < 400; i++) {
			RainParams p = bank.nextParams();
			assertEquals(1, p.transmission(), "a layer carries no veil");
			assertTrue(Math.abs(p.angle()) <= RainLayerBank.MAX_ANGLE);
			minAngle = Math.min(minAngle, p.angle());
			maxAngle = Math.max(maxAngle, p.angle());
			seeds.add(p.seed());
			// identify the preset by its (unvaried) width
			for (RainParams.Preset pr : RainParams.Preset.values())
				if (pr.params().width() == p.width()) lengthsSeen.add(pr);
		}
		assertEquals(400, seeds.size());
		assertEquals(EnumSet.allOf(RainParams.Preset.class), lengthsSeen);
		assertTrue(minAngle < -25 && maxAngle > 25, "angles " + minAngle + " .. " + maxAngle);
	}

	@Test
	void mixesWithTheRequestedProbabilityAndOnlyBrightens() {
		RainLayerBank bank = new RainLayerBank(2);
		int w = 32, h = 24, mixed = 0, n = 300;
		for (int i = 0; i < n; i++) {
			float[] img = new float[3 * w * h];
			Arrays.fill(img, 0.25f);
			float[] before = img.clone();
			boolean didMix = bank.maybeMix(img, w, h, 3, RainLayerBank.GTRAIN_MIX_PROBABILITY);
			if (didMix) mixed++;
			else assertArrayEquals(before, img);
			for (int k = 0; k < img.length; k++)
				assertTrue(img[k] >= before[k] && img[k] <= 1f);
		}
		// binomial(300, 0.6): mean 180, sd 8.5
		assertEquals(180, mixed, 30);
		float[] img = new float[w * h];
		assertFalse(new RainLayerBank(3).maybeMix(img, w, h, 1, 0));
		assertTrue(new RainLayerBank(3).maybeMix(img, w, h, 1, 1));
	}
}
