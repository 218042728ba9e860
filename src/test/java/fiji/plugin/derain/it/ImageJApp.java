package fiji.plugin.derain.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

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

	/**
	 * Skips on machines without Xvfb, saying how to get it; fails instead when the environment variable
	 * {@code CI} is set (as CI services and {@code .ci/run} set it), so that CI cannot pass without these tests.
	 */
	static void assumeXvfb() {
		boolean found = false;
		for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
			found |= Files.isExecutable(Path.of(dir, "xvfb-run"));
		String message = "xvfb-run is missing: apt-get install -y xvfb xauth";
		if (isCi()) assertTrue(found, message + " (CI is set: the ImageJ app tests must run)");
		assumeTrue(found, message);
	}

	/** True when the environment variable {@code CI} is set to anything but empty or "false". */
	static boolean isCi() {
		String ci = System.getenv("CI");
		return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
	}

	/**
	 * The app with {@link DialogProbe} on its class path, for macros that inspect dialogs: a folder of links to
	 * {@code app/}'s files, plus {@code plugins/dialogprobe.jar} (no underscore: ImageJ adds it to the class path
	 * but makes no menu entry), made afresh next to the artifacts folder. {@code app/} itself stays as built.
	 */
	static Path withProbe() throws IOException {
		Path app = dir(), probe = artifacts().resolveSibling("probe-app");
		if (Files.exists(probe)) try (Stream<Path> old = Files.walk(probe)) { // links are removed, not followed
			for (Path p : (Iterable<Path>) old.sorted(Comparator.reverseOrder())::iterator)
				Files.delete(p);
		}
		Path plugins = Files.createDirectories(probe.resolve("plugins"));
		try (Stream<Path> top = Files.list(app); Stream<Path> inPlugins = Files.list(app.resolve("plugins"))) {
			for (Path p : (Iterable<Path>) top::iterator)
				if (!p.getFileName().toString().equals("plugins")) Files.createSymbolicLink(probe.resolve(p.getFileName()), p);
			for (Path p : (Iterable<Path>) inPlugins::iterator)
				Files.createSymbolicLink(plugins.resolve(p.getFileName()), p);
		}
		String entry = DialogProbe.class.getName().replace('.', '/') + ".class";
		try (OutputStream out = Files.newOutputStream(plugins.resolve("dialogprobe.jar"));
			JarOutputStream jar = new JarOutputStream(out)) {
			jar.putNextEntry(new JarEntry(entry));
			try (var in = DialogProbe.class.getClassLoader().getResourceAsStream(entry)) {
				in.transferTo(jar);
			}
			jar.closeEntry();
		}
		return probe;
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
		return run(dir(), args, log, timeout, done);
	}

	/** {@link #run(List, Path, Duration, BooleanSupplier)} in the app folder {@code app}. */
	static Run run(Path app, List<String> args, Path log, Duration timeout, BooleanSupplier done)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("xvfb-run", "-a", "-s", "-screen 0 1024x768x24",
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dai.djl.offline=true", "-Xmx2g", "-jar", app.resolve("ij.jar").toString(),
				"-ijpath", app.toString()));
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

	/**
	 * Stops Java first and waits (at most 2 minutes) until it has exited — it may finish a training step first, and
	 * needs its display until then — then Xvfb and the xvfb-run script, so that no display is left behind and the log
	 * is complete.
	 */
	private static void stop(Process process) throws InterruptedException {
		List<ProcessHandle> children = process.descendants().toList();
		List<ProcessHandle> java = children.stream()
			.filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList();
		java.forEach(ProcessHandle::destroy);
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		for (ProcessHandle p : java)
			while (p.isAlive() && System.nanoTime() < deadline)
				Thread.sleep(50);
		children.forEach(ProcessHandle::destroy);
		process.destroy();
		process.waitFor();
	}

	/** A dialog opened from the menu: what {@link DialogProbe} saw, and screenshots before and after. */
	record ShownDialog(String description, Path before, Path after) {}

	/**
	 * Runs {@code setup} (macro code), then the menu command {@code command} in ImageJ with its window, as a click
	 * would ({@code doCommand}: its own thread, so the modal dialog does not block the macro); waits until the screen
	 * changed and a {@code GenericDialog} is open (at most 20 s each), screenshots it to
	 * {@code <artifacts>/<name>.png} (for a person to look at) and describes it with {@link DialogProbe}.
	 */
	static ShownDialog showDialog(String setup, String command, String name) throws Exception {
		Path artifacts = artifacts();
		Path before = artifacts.resolve(name + "-before.png"), after = artifacts.resolve(name + ".png");
		Path marker = artifacts.resolve(name + ".txt"), partial = artifacts.resolve(name + ".txt.partial");
		for (Path p : List.of(before, after, marker, partial))
			Files.deleteIfExists(p);
		String probe = "call(\"" + DialogProbe.class.getName() + ".describe\")";
		Path macro = macro(name + ".ijm", setup
			+ "setBatchMode(true); // screenshots stay off screen\n"
			+ "run(\"Capture Screen\"); saveAs(\"PNG\", " + quoted(before) + "); getStatistics(area, base); close();\n"
			+ "doCommand(\"" + command + "\");\n"
			+ "t0 = getTime(); m = base;\n"
			+ "while (getTime() - t0 < 20000 && m < base + 1) {\n"
			+ "  wait(100); run(\"Capture Screen\"); getStatistics(area, m); close();\n"
			+ "}\n"
			+ "t0 = getTime(); d = " + probe + ";\n"
			+ "while (getTime() - t0 < 20000 && startsWith(d, \"no \")) { wait(100); d = " + probe + "; }\n"
			+ "wait(500); // let the dialog finish painting\n"
			+ "run(\"Capture Screen\"); saveAs(\"PNG\", " + quoted(after) + "); close();\n"
			+ "File.saveString(d, " + quoted(partial) + "); File.rename(" + quoted(partial) + ", " + quoted(marker)
			+ "); // whole, once it exists\n");
		Run run = run(withProbe(), List.of("-macro", macro.toString()), artifacts.resolve(name + ".log"),
			Duration.ofSeconds(90), () -> Files.exists(marker));
		assertTrue(run.stoppedByTest(), "ImageJ quit before the dialog was described: " + run.output());
		return new ShownDialog(Files.readString(marker), before, after);
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
