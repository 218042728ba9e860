package fiji.plugin.derain.testutil;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs code with System.out and System.err captured, to check that a library printed nothing of its own. */
public final class ConsoleCapture {
	private ConsoleCapture() {}

	@FunctionalInterface
	public interface Action {
		void run() throws Exception;
	}

	/**
	 * @param printed what the action wrote to System.out and System.err
	 * @param thrown what it threw, or null
	 */
	public record Result(String printed, Throwable thrown) {}

	public static Result run(Action action) {
		PrintStream out = System.out, err = System.err;
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
		System.setOut(capture);
		System.setErr(capture);
		Throwable thrown = null;
		try {
			action.run();
		} catch (Exception | Error e) {
			thrown = e;
		} finally {
			System.setOut(out);
			System.setErr(err);
		}
		return new Result(bytes.toString(StandardCharsets.UTF_8), thrown);
	}
}
