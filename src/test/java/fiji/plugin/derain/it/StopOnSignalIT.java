package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.CommandFixtures;
import fiji.plugin.derain.train.TrainingCheckpoint;
import fiji.plugin.derain.train.TrainingRun;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl-C, a job scheduler or a shutdown sends) to a running {@code derain train} or {@code derain run}
 * stops it at its next safe point: no JVM crash report in the working folder, a training run saves a resumable
 * checkpoint of the step it reached and says so, a batch keeps its finished outputs and writes nothing half done.
 */
class StopOnSignalIT {
	private static final Pattern STOPPED_AT = Pattern.compile("stopped: training cancelled at step (\\d+); resumable");

	@TempDir
	Path tmp;

	@Test
	void sigtermStopsTrainingAfterTheStepWithACheckpoint() throws Exception {
		Path data = CommandFixtures.trainingPairs(tmp.resolve("data"), 4, 64), out = tmp.resolve("model");
		List<String> train = List.of("train", "--rainy", data.resolve("rainy").toString(), "--clean",
			data.resolve("clean").toString(), "--out", out.toString(), "--ngf", "2", "--blocks", "1", "--patch", "48",
			"--ssim-weight", "0", "--batch", "2", "--steps-per-epoch", "15", "--epochs", "6", "--warmup-epochs", "1",
			"--val-fraction", "0.25", "--seed", "9", "--device", "cpu");
		Path state = out.resolve(TrainingRun.CHECKPOINT).resolve(TrainingCheckpoint.STATE);
		Process p = derain(train, "train");
		awaitThenStop(p, () -> Files.exists(state));
		String log = Files.readString(tmp.resolve("train.log"));
		assertEquals(143, p.exitValue(), log); // 128 + SIGTERM: the JVM's own exit, after the hook
		assertNoCrashReport(log);
		assertTrue(log.contains("stopping after the current step"), log);
		Matcher m = STOPPED_AT.matcher(log);
		assertTrue(m.find(), log);
		long step = Long.parseLong(m.group(1));
		try (NDManager manager = NDManager.newBaseManager()) {
			long saved = TrainingCheckpoint.load(TrainingCheckpoint.latest(out.resolve(TrainingRun.CHECKPOINT)), manager)
				.step();
			assertEquals(step, saved, "the checkpoint is the step the run stopped at");
			assertTrue(step >= 15 && step < 90, "stopped after the first epoch, before the end: " + step);
		}
		List<String> resume = new ArrayList<>(train.subList(0, 7));
		resume.add("--resume");
		Process again = derain(resume, "resume");
		assertTrue(again.waitFor(180, TimeUnit.SECONDS), "resumed run ended");
		String resumed = Files.readString(tmp.resolve("resume.log"));
		assertEquals(0, again.exitValue(), resumed);
		assertTrue(resumed.lines().anyMatch(l -> l.startsWith("resumed at epoch ") && l.contains(", step " + step)),
			resumed);
	}

	@Test
	void sigtermStopsABatchBetweenTilesKeepingFinishedOutputs() throws Exception {
		Path in = CommandFixtures.smallThenLargePhotos(Files.createDirectories(tmp.resolve("in")));
		Path out = tmp.resolve("out");
		Process p = derain(List.of("run", "--out", out.toString(), "--tile", "128", "--device", "cpu", in.toString()),
			"run");
		awaitThenStop(p, () -> Files.exists(out.resolve("a-small.png")));
		String log = Files.readString(tmp.resolve("run.log"));
		assertEquals(143, p.exitValue(), log);
		assertNoCrashReport(log);
		assertTrue(log.contains("stopping after the current tile"), log);
		assertTrue(log.contains("b-large.png: cancelled"), log);
		try (Stream<Path> files = Files.list(out)) {
			assertEquals(List.of("a-small.png"), files.map(f -> f.getFileName().toString()).toList(),
				"only the finished output, no temporary or half-written file");
		}
	}

	/** Waits (at most 2 minutes) until {@code ready}, then sends SIGTERM and waits (at most 2 minutes) for the exit. */
	private static void awaitThenStop(Process p, BooleanSupplier ready) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
		while (!ready.getAsBoolean() && p.isAlive() && System.nanoTime() < deadline)
			Thread.sleep(20);
		assertTrue(p.isAlive(), "the command must still be running when it is stopped (make it longer if this fails)");
		p.destroy(); // SIGTERM
		assertTrue(p.waitFor(2, TimeUnit.MINUTES), "stopped within 2 minutes of SIGTERM");
	}

	private void assertNoCrashReport(String log) throws IOException {
		assertFalse(log.contains("A fatal error has been detected"), log);
		try (Stream<Path> files = Files.list(tmp.resolve("cwd"))) {
			assertEquals(List.of(), files.map(f -> f.getFileName().toString()).toList(), "left in the working folder");
		}
	}

	/** {@code derain ARGS} in its own JVM, working in tmp/cwd, output in tmp/LOG.log. */
	private Process derain(List<String> args, String log) throws IOException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "fiji.plugin.derain.cli.Main"));
		cmd.addAll(args);
		return new ProcessBuilder(cmd).directory(Files.createDirectories(tmp.resolve("cwd")).toFile())
			.redirectErrorStream(true).redirectOutput(tmp.resolve(log + ".log").toFile()).start();
	}
}
