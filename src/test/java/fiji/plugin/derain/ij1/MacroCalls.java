package fiji.plugin.derain.ij1;

import ij.Macro;
import ij.Menus;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * Runs ImageJ macro code in ImageJ 1.54p's own interpreter, headless, with the given menu labels standing for a
 * recorder: each {@code run(label, options)} reaches {@link Recorder} exactly as it would reach the plugin
 * ({@code IJ.run} sets the options for the thread, {@code Executer} finds the class in the commands table), which
 * hands label and options to a reader and returns; the macro goes on without the command's results.
 */
final class MacroCalls {
	private MacroCalls() {}

	private static BiFunction<String, String, Object> reader;
	private static List<Object> calls;

	/** What a macro did: the readers' results of its calls, and the error or exit that ended it (else null). */
	record Result(List<Object> calls, String error) {}

	/**
	 * Runs {@code macro} with {@code argument} ({@code getArgument()}); each call of a command in {@code labels}
	 * gives {@code read.apply(label, Macro.getOptions())}, evaluated while that call runs.
	 */
	static synchronized Result run(String macro, String argument, Collection<String> labels,
		BiFunction<String, String, Object> read) throws Exception {
		Field table = Menus.class.getDeclaredField("pluginsTable"); // IJ.run uses it; ImageJ headless has none
		table.setAccessible(true);
		Object saved = table.get(null);
		Hashtable<String, String> commands = new Hashtable<>();
		for (String label : labels)
			commands.put(label, Recorder.class.getName() + "(\"" + label + "\")");
		reader = read;
		calls = new ArrayList<>();
		AtomicReference<String> error = new AtomicReference<>();
		try {
			table.set(null, commands);
			// A thread of its own: IJ.run renames its thread to "Run$_…" for good.
			Thread thread = new Thread(() -> {
				Interpreter interpreter = new Interpreter();
				interpreter.setIgnoreErrors(true); // an error ends the macro and is returned, no dialog
				try {
					interpreter.run(macro, argument);
					error.set(interpreter.getErrorMessage());
				} catch (RuntimeException e) { // exit("...") in a macro
					error.set(e.getMessage() == null ? e.toString() : e.getMessage());
				}
			}, "macro-calls");
			thread.start();
			thread.join();
			return new Result(List.copyOf(calls), error.get());
		} finally {
			table.set(null, saved);
			reader = null;
		}
	}

	/** Stands for every command while {@link MacroCalls#run} runs a macro. */
	public static final class Recorder implements PlugIn {
		@Override
		public void run(String label) {
			try {
				calls.add(reader.apply(label, Macro.getOptions()));
			} catch (RuntimeException | Error e) {
				calls.add(e);
			}
		}
	}
}
