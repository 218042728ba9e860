package fiji.plugin.derain.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** Runs the command-line tool in-process with its standard output and error captured, in a fresh folder. */
abstract class CliTestBase {
	@TempDir
	Path tmp;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	/** Runs {@code derain ARGS}; returns the exit code. */
	int derain(String... args) {
		out.reset();
		err.reset();
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	/** Standard output of the last {@link #derain} call. */
	String out() {
		return out.toString(StandardCharsets.UTF_8);
	}

	/** Standard error of the last {@link #derain} call. */
	String err() {
		return err.toString(StandardCharsets.UTF_8);
	}
}
