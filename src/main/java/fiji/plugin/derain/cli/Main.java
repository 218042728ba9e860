package fiji.plugin.derain.cli;

import fiji.plugin.derain.UserMessages;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bin/derain}: the command-line face of the same engine the Fiji commands use.
 * Exit codes: 0 success, 1 a run that failed (on some or all inputs), 2 a usage mistake.
 * Errors are one line on stderr; {@code --debug} (or DERAIN_DEBUG=1) adds the stack trace.
 */
public final class Main {
	private Main() {}

	/** One sub-command: parses its own arguments and returns the exit code. */
	interface SubCommand {
		String name();

		/** One line of synopsis plus option descriptions. */
		String usage();

		int run(String[] argv, Console console) throws Exception;
	}

	private static Map<String, SubCommand> commands() {
		Map<String, SubCommand> m = new LinkedHashMap<>();
		for (SubCommand c : SubCommands.all())
			m.put(c.name(), c);
		return m;
	}

	public static void main(String[] argv) {
		System.exit(run(argv, System.out, System.err));
	}

	/** Runs the tool and returns the exit code (tests call this instead of {@link #main}). */
	public static int run(String[] argv, PrintStream out, PrintStream err) {
		boolean debug = "1".equals(System.getenv("DERAIN_DEBUG")) || Arrays.asList(argv).contains("--debug");
		String[] args = Arrays.stream(argv).filter(a -> !a.equals("--debug")).toArray(String[]::new);
		Map<String, SubCommand> commands = commands();
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
			printUsage(out, commands);
			return args.length == 0 ? 2 : 0;
		}
		SubCommand c = commands.get(args[0]);
		if (c == null) {
			err.println("derain: unknown command '" + args[0] + "'; commands: " + String.join(", ", commands.keySet()));
			return 2;
		}
		if (Arrays.asList(args).contains("--help")) {
			out.println(c.usage());
			return 0;
		}
		try {
			return c.run(args, new Console(out, err));
		} catch (Args.UsageException e) {
			err.println("derain " + e.getMessage());
			return 2;
		} catch (Exception | Error e) {
			err.println("derain " + c.name() + ": " + UserMessages.describe(e));
			if (debug) e.printStackTrace(err);
			return 1;
		}
	}

	private static void printUsage(PrintStream out, Map<String, SubCommand> commands) {
		out.println("usage: derain COMMAND [options]   (derain COMMAND --help for its options)");
		out.println();
		for (SubCommand c : commands.values())
			out.println("  " + c.usage().lines().findFirst().orElse(c.name()));
	}
}
