package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fiji.plugin.derain.net.DerainConfig;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options → config (the CLI's and the command's shared reading) and the config of a checkpoint to resume. */
class TrainOptionsTest {
	@TempDir
	Path tmp;

	@Test
	void leftOutOptionsAreTheDefaultsAndShortRunsNeedNoExtraOptions() {
		assertEquals(TrainConfig.defaults(), TrainOptions.fromOptions(k -> null));
		TrainConfig c = TrainOptions.fromOptions(Map.of("epochs", "1", "lr", "1e-7", "blocks", "2", "ngf", "8",
			"activation", "mish", "seed", "-3", "device", " cpu ")::get);
		assertEquals(1, c.epochs());
		assertEquals(0, c.warmupEpochs(), "warm-up shortened to fit one epoch");
		assertEquals(1e-7, c.minLearningRate(), "min_lr capped at lr");
		assertEquals(new DerainConfig(8, 2, DerainConfig.Activation.MISH, DerainConfig.Norm.BATCH,
			DerainConfig.Init.NORMAL), c.net());
		assertEquals(-3, c.seed());
		assertEquals("cpu", c.device());
	}

	@Test
	void messagesNameTheKey() {
		assertMessage("epochs must be a whole number, got '2.5'", Map.of("epochs", "2.5"));
		assertMessage("lr must be a number, got 'fast'", Map.of("lr", "fast"));
		assertMessage("lr must be a positive number of at most 1 (Adam's step size; GT-RAIN uses 2e-4), got 1e30",
			Map.of("lr", "1e30"));
		assertMessage("lr must be a positive number of at most 1 (Adam's step size; GT-RAIN uses 2e-4), got NaN",
			Map.of("lr", "NaN"));
		assertMessage("blocks must be at least 0, got -1", Map.of("blocks", "-1"));
		assertMessage("patch must be at least 161 for 5-scale MS-SSIM (or set ssim_weight to 0), got 64",
			Map.of("patch", "64"));
	}

	@Test
	void resumeReadsTheCheckpointsConfig() throws Exception {
		assertThrows(NoSuchFileException.class, () -> TrainOptions.fromCheckpoint(tmp));
		TrainConfig saved = TrainConfig.defaults().with(b -> {
			b.epochs = 3;
			b.warmupEpochs = 1;
			b.seed = Long.MIN_VALUE;
		});
		Path checkpoint = Files.createDirectories(tmp.resolve(TrainingRun.CHECKPOINT));
		Files.writeString(checkpoint.resolve(TrainingCheckpoint.STATE),
			new TrainingCheckpoint(saved, 1, 10, 7, Double.NaN, Map.of(), Map.of(), Map.of()).stateJson());
		assertEquals(saved, TrainOptions.fromCheckpoint(tmp));
	}

	private static void assertMessage(String expected, Map<String, String> options) {
		assertEquals(expected, assertThrows(IllegalArgumentException.class,
			() -> TrainOptions.fromOptions(options::get)).getMessage());
	}
}
