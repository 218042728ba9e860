package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.CommandFixtures;
import fiji.plugin.derain.train.TrainingCheckpoint;
import fiji.plugin.derain.train.TrainingRun;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code derain train} killed with SIGKILL in the middle of a run (no chance to save anything), then started
 * again with {@code --resume}, continues from its last checkpoint (not from step 0) and ends with exactly the
 * weights of an uninterrupted run.
 */
class TrainKillResumeIT {
	@TempDir
	Path tmp;

	@Test
	void aKilledRunResumesToTheSameResult() throws Exception {
		Path data = CommandFixtures.trainingPairs(tmp.resolve("data"), 4, 64);
		Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
		assertEquals(0, train(whole, false).waitFor(), "uninterrupted run");

		Process p = train(killed, false);
		Path state = killed.resolve(TrainingRun.CHECKPOINT).resolve(TrainingCheckpoint.STATE);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
		while (!Files.exists(state) && p.isAlive() && System.nanoTime() < deadline)
			Thread.sleep(20);
		assertTrue(p.isAlive(), "the run must still be going when it is killed (make it longer if this fails)");
		p.destroyForcibly(); // SIGKILL: no shutdown hooks, no final save
		assertNotEquals(0, p.waitFor());
		long step;
		int epoch;
		try (NDManager m = NDManager.newBaseManager()) {
			TrainingCheckpoint left = TrainingCheckpoint.load(
				TrainingCheckpoint.latest(killed.resolve(TrainingRun.CHECKPOINT)), m);
			step = left.step();
			epoch = left.epoch();
		}
		assertTrue(step > 0 && step < 45, "killed before the end, after the first epoch: step " + step);

		assertEquals(0, train(killed, true).waitFor(), "resumed run");
		// A resume that silently restarted from step 0 would end with the same bytes: the resumed process must
		// say it starts at the checkpoint's step and show no progress before it.
		String log = Files.readString(tmp.resolve("killed-resume.log"));
		String resumedAt = "resumed at epoch " + epoch + ", step " + step;
		assertTrue(log.lines().anyMatch(l -> l.equals(resumedAt) || l.startsWith(resumedAt + " from ")),
			"no line '" + resumedAt + "' in\n" + log);
		Matcher progress = Pattern.compile(" (\\d+)/45 \\(").matcher(log);
		List<Long> done = new ArrayList<>();
		while (progress.find()) done.add(Long.parseLong(progress.group(1)));
		assertEquals(45L, done.get(done.size() - 1), log);
		assertTrue(done.get(0) > step, "first progress line of the resumed run " + done.get(0) + " <= step " + step);
		try (NDManager m = NDManager.newBaseManager()) {
			TrainingCheckpoint a = TrainingCheckpoint.load(whole.resolve(TrainingRun.CHECKPOINT), m);
			TrainingCheckpoint b = TrainingCheckpoint.load(killed.resolve(TrainingRun.CHECKPOINT), m);
			assertEquals(a.step(), b.step());
			assertEquals(a.rngState(), b.rngState());
			assertSame(a.weights(), b.weights(), "weights");
			assertSame(a.optimizer(), b.optimizer(), "Adam state");
		}
		assertArrayEquals(Files.readAllBytes(whole.resolve("weights.safetensors")),
			Files.readAllBytes(killed.resolve("weights.safetensors")), "best model");
	}

	/** Same names, shapes and bit-identical values. */
	private static void assertSame(Map<String, NDArray> a, Map<String, NDArray> b, String what) {
		assertEquals(a.keySet(), b.keySet(), what);
		for (String k : a.keySet())
			assertTrue(a.get(k).contentEquals(b.get(k)), what + ": " + k + " differs");
	}

	/** {@code derain train} in its own JVM (the command-line tool's main class on this test's classpath). */
	private Process train(Path out, boolean resume) throws IOException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "fiji.plugin.derain.cli.Main", "train",
			"--rainy", tmp.resolve("data/rainy").toString(), "--clean", tmp.resolve("data/clean").toString(), "--out",
			out.toString()));
		if (resume) cmd.add("--resume");
		else cmd.addAll(List.of("--ngf", "2", "--blocks", "1", "--patch", "48", "--ssim-weight", "0", "--batch", "2",
			"--steps-per-epoch", "15", "--epochs", "3", "--warmup-epochs", "1", "--val-fraction", "0.25", "--seed", "9",
			"--bn-batches", "2", "--device", "cpu"));
		return new ProcessBuilder(cmd).redirectErrorStream(true)
			.redirectOutput(tmp.resolve(out.getFileName() + (resume ? "-resume" : "") + ".log").toFile()).start();
	}
}
