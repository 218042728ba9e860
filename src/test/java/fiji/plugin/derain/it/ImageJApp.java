package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The plain ImageJ 1.x app that {@code mvn package} assembles in {@code app/}, started the way users
 * start it ({@code java -jar app/ij.jar -ijpath app}) on a virtual display ({@code xvfb-run}), because
 * ImageJ 1.x cannot build its menus without one.
 */
final class ImageJApp {
	private ImageJApp() {}

	/** {@code app/} (failsafe passes {@code derain.app.dir}); fails if {@code mvn package} did not run. */
	static Path dir() {
		Path app = Path.of(System.getProperty("derain.app.dir", "app")).toAbsolutePath();
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")) && Files.isRegularFile(app.resolve("plugins/Fiji_Derain.jar")),
				app + " holds no assembled ImageJ: run `mvn -B verify` (which packages first)");
		return app;
	}

	/** Where screenshots, macros and logs of the runs are kept for inspection. */
	static Path artifacts() throws IOException {
		return Files.createDirectories(Path.of(System.getProperty("derain.artifacts.dir", "target/test-artifacts")));
	}

	/** Skips (does not fail) on machines without Xvfb, saying how to get it. */
	static void assumeXvfb() {
		boolean found = false;
		for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
			found |= Files.isExecutable(Path.of(dir, "xvfb-run"));
		assumeTrue(found, "xvfb-run is missing: apt-get install -y xvfb xauth");
	}

	/** A finished (or stopped) ImageJ process: its combined stdout/stderr and how it ended. */
	record Run(String output, int exitCode, boolean stoppedByTest) {}

	/**
	 * Starts ImageJ with {@code args} after {@code -ijpath app}, its output going to {@code log}.
	 * Waits until it exits, or until {@code done} holds (then stops it: GUI sessions do not exit by
	 * themselves), or {@code timeout} passes (then stops it and fails: a macro error opens a modal
	 * dialog that nobody can close here).
	 */
	static Run run(List<String> args, Path log, Duration timeout, BooleanSupplier done)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("xvfb-run", "-a", "-s", "-screen 0 1024x768x24",
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dai.djl.offline=true", "-Xmx2g", "-jar", dir().resolve("ij.jar").toString(),
				"-ijpath", dir().toString()));
		command.addAll(args);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		long deadline = System.nanoTime() + timeout.toNanos();
		boolean stopped = false;
		while (process.isAlive()) {
			if (done.getAsBoolean()) {
				stopped = true;
				break;
			}
			if (System.nanoTime() > deadline) {
				stop(process);
				throw new AssertionError("ImageJ did not finish within " + timeout + " (a macro error dialog?): "
						+ String.join(" ", command) + "\n" + Files.readString(log));
			}
			Thread.sleep(100);
		}
		if (stopped) stop(process);
		return new Run(Files.readString(log), stopped ? -1 : process.waitFor(), stopped);
	}

	/** Stops Java and Xvfb first, then the xvfb-run script, so that no display is left behind. */
	private static void stop(Process process) throws InterruptedException {
		process.descendants().forEach(ProcessHandle::destroy);
		process.destroy();
		process.waitFor();
	}

	/** Writes an ImageJ macro into the artifacts folder and returns its path. */
	static Path macro(String name, String text) throws IOException {
		return Files.writeString(artifacts().resolve(name), text);
	}

	/** A path as an ImageJ macro string literal. */
	static String quoted(Path p) {
		return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}
}
