package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save killed at any point leaves a checkpoint that resume finds: the previous one or the new one. */
class TrainingCheckpointTest {
	@TempDir
	Path tmp;

	static final TrainConfig CONFIG = TrainConfig.defaults().with(b -> b.seed = 3);

	/** Thrown from the save hook: like a SIGKILL there, it skips every clean-up. */
	static final class Killed extends Error {
		Killed(String point) {
			super("killed at " + point);
		}
	}

	/** A checkpoint whose every value tells its step. */
	static TrainingCheckpoint at(long step, NDManager m) {
		return new TrainingCheckpoint(CONFIG, (int) step / 5, step, 1000 + step, step / 10.0,
			Map.of("conv.weight", m.create(new float[] {step, -step})),
			Map.of("exp_avg/conv.weight", m.create(new float[] {step / 2f, step})), Map.of());
	}

	@Test
	void aSaveKilledAtAnyPointLeavesTheOldOrTheNewCheckpoint() throws IOException {
		// the step resume finds after a kill at each point: the old checkpoint (7) until it is moved away
		Map<String, Long> found = new LinkedHashMap<>();
		found.put("tensors written", 7L);
		found.put("state written", 7L);
		found.put("partial complete", 7L);
		found.put("target moved to old", 8L);
		found.put("partial moved to target", 8L);
		found.put("deleting leftover", 8L);
		try (NDManager m = NDManager.newBaseManager()) {
			List<String> points = new ArrayList<>();
			Path probe = tmp.resolve("probe/checkpoint");
			at(7, m).save(probe);
			at(8, m).save(probe, points::add);
			assertEquals(List.copyOf(found.keySet()), points, "every point of save is tested below");

			for (Map.Entry<String, Long> e : found.entrySet()) {
				String point = e.getKey();
				Path out = tmp.resolve(point.replace(' ', '-')), folder = out.resolve(TrainingRun.CHECKPOINT);
				at(7, m).save(folder);
				assertThrows(Killed.class, () -> at(8, m).save(folder, p -> {
					if (p.equals(point)) throw new Killed(p);
				}));
				if (point.equals("target moved to old"))
					assertFalse(Files.exists(folder), "the case this is about: no checkpoint/ left at all");

				Path latest = TrainingCheckpoint.latest(folder);
				assertNotNull(latest, "nothing to resume after a kill at " + point);
				TrainingCheckpoint c = TrainingCheckpoint.load(latest, m);
				long step = e.getValue();
				assertEquals(step, c.step(), "step of the checkpoint found after a kill at " + point);
				assertEquals(1000 + step, c.rngState(), point);
				assertArrayEquals(new float[] {step, -step}, c.weights().get("conv.weight").toFloatArray(), point);
				assertArrayEquals(new float[] {step / 2f, step}, c.optimizer().get("exp_avg/conv.weight").toFloatArray(),
					point);
				assertEquals(CONFIG, TrainOptions.fromCheckpoint(out), "--resume reads the config after a kill at " + point);

				at(9, m).save(folder);
				assertEquals(List.of(TrainingRun.CHECKPOINT), names(out), "the next save removes the leftovers");
				assertEquals(9, TrainingCheckpoint.load(TrainingCheckpoint.latest(folder), m).step());
			}
		}
	}

	@Test
	void aFailedSaveKeepsThePreviousCheckpointInPlace() throws IOException {
		Path out = tmp.resolve("run"), folder = out.resolve(TrainingRun.CHECKPOINT);
		try (NDManager m = NDManager.newBaseManager()) {
			assertNull(TrainingCheckpoint.latest(folder), "no checkpoint yet");
			at(7, m).save(folder);
			assertThrows(UncheckedIOException.class, () -> at(8, m).save(folder, p -> {
				if (p.equals("target moved to old")) throw new UncheckedIOException(new IOException("disk full"));
			}));
			assertEquals(List.of(TrainingRun.CHECKPOINT), names(out), "the old checkpoint is put back, the partial one gone");
			assertEquals(7, TrainingCheckpoint.load(folder, m).step());
		}
	}

	@Test
	void aHalfDeletedLeftoverIsNotResumedFrom() throws IOException {
		Path out = tmp.resolve("run"), folder = out.resolve(TrainingRun.CHECKPOINT);
		try (NDManager m = NDManager.newBaseManager()) {
			at(7, m).save(folder);
			Path old = out.resolve(".checkpoint.old-1");
			Files.move(folder, old);
			assertEquals(old.toAbsolutePath().normalize(), TrainingCheckpoint.latest(folder));
			Files.delete(old.resolve(TrainingCheckpoint.STATE)); // how a killed clean-up leaves it
			assertNull(TrainingCheckpoint.latest(folder), "no state.json, no checkpoint");
		}
	}

	private static List<String> names(Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}
}
