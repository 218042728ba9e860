package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.net.DerainConfig;

import org.junit.jupiter.api.Test;

class TrainConfigTest {
	@Test
	void jsonRoundTripsExactly() {
		TrainConfig.Builder b = TrainConfig.defaults().toBuilder();
		b.seed = -0x1234_5678_9abc_def0L; // beyond double precision
		b.learningRate = 3.3e-4;
		b.net = DerainConfig.GTRAIN.withActivation(DerainConfig.Activation.MISH);
		b.device = "gpu:1";
		b.bnBatches = 16;
		b.emaDecay = 0.999;
		TrainConfig recalibrated = b.build();
		assertEquals(recalibrated, TrainConfig.parse(recalibrated.toJson(), "test"));
		b.bnBatches = 0;
		b.freezeBatchNorm = true;
		TrainConfig c = b.build();
		assertEquals(c, TrainConfig.parse(c.toJson(), "test"));
		assertEquals(TrainConfig.defaults(), TrainConfig.parse("{}", "test"), "missing keys take the defaults");
	}

	@Test
	void messagesNameTheParameter() {
		assertMessage("{\"patch\": 130}", "patch must be a positive multiple of 4");
		assertMessage("{\"patch\": 128}", "patch must be at least 161");
		assertMessage("{\"batch\": 1}", "batch must be at least 2 while robust_weight > 0");
		assertMessage("{\"warmup_epochs\": 20}", "warmup_epochs must be at least 0 and less than epochs (20)");
		assertMessage("{\"val_fraction\": 1}", "val_fraction must be in [0, 1)");
		assertMessage("{\"lr\": \"fast\"}", "lr must be a number");
		assertMessage("{\"bn_batches\": -1}", "bn_batches must be at least 0");
		assertMessage("{\"ema_decay\": 1}", "ema_decay must be in [0, 1)");
		assertMessage("{\"bn_batches\": 4, \"freeze_bn\": true}", "bn_batches must be 0 while freeze_bn is true");
		assertMessage("{\"freeze_bn\": \"yes\"}", "freeze_bn must be true or false");
		assertMessage("{\"activation\": \"relu\"}", "unknown activation 'relu'");
		assertMessage("{\"init\": \"identity\", \"ngf\": 24}", "freeze_bn must be true with init identity");
		assertMessage("{\"init\": \"identity\", \"ngf\": 16, \"freeze_bn\": true}", "init identity needs ngf of at least 24");
		TrainConfig.parse("{\"init\": \"identity\", \"ngf\": 24, \"freeze_bn\": true}", "cfg.json");
		assertMessage("{\"learning_rate\": 1}", "unknown training parameter(s) [learning_rate]");
	}

	private static void assertMessage(String json, String part) {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse(json, "cfg.json"));
		assertTrue(e.getMessage().contains(part) && e.getMessage().startsWith("cfg.json"), e.getMessage());
	}

	@Test
	void randomStreamResumesFromItsState() {
		TrainRandom a = new TrainRandom(99);
		for (int i = 0; i < 10; i++) a.nextGaussian();
		TrainRandom b = TrainRandom.fromState(a.state());
		for (int i = 0; i < 100; i++) {
			assertEquals(a.nextLong(), b.nextLong());
			assertEquals(a.nextGaussian(), b.nextGaussian());
			assertEquals(a.nextInt(7), b.nextInt(7));
		}
		// SplitMix64 reference values (seed 0): first outputs of Vigna's splitmix64.c
		TrainRandom z = new TrainRandom(0);
		assertEquals(0xe220a8397b1dcdafL, z.nextLong());
		assertEquals(0x6e789e6aa1b965f4L, z.nextLong());
		int[] counts = new int[3];
		for (int i = 0; i < 30000; i++) counts[z.nextInt(3)]++;
		for (int c : counts) assertEquals(10000, c, 400);
	}
}
