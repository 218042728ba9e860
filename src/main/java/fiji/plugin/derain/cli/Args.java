package fiji.plugin.derain.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments of one sub-command: {@code --name value} options, {@code --flag} switches and
 * positional operands. Unknown options, missing values and malformed numbers are {@link UsageException}s
 * whose message names the option. Also parses {@code bin/derain-spark}'s arguments (command {@code derain-spark}).
 */
public final class Args {
	private final String command;
	private final Map<String, String> options = new LinkedHashMap<>();
	private final List<String> positional = new ArrayList<>();

	/**
	 * @param valued options that take a value (without the leading dashes)
	 * @param flags options that take none
	 */
	public Args(String command, String[] argv, int from, Set<String> valued, Set<String> flags) {
		this.command = command;
		for (int i = from; i < argv.length; i++) {
			String a = argv[i];
			if (a.equals("--")) {
				for (i++; i < argv.length; i++)
					positional.add(argv[i]);
			} else if (a.startsWith("--")) {
				String name = a.substring(2), value = null;
				int eq = name.indexOf('=');
				if (eq >= 0) {
					value = name.substring(eq + 1);
					name = name.substring(0, eq);
				}
				if (flags.contains(name) && value == null) options.put(name, "true");
				else if (valued.contains(name)) {
					if (value == null) {
						if (i + 1 >= argv.length) throw new UsageException(command + ": --" + name + " needs a value");
						value = argv[++i];
					}
					options.put(name, value);
				} else throw new UsageException(command + ": unknown option --" + name + " (see "
					+ (command.startsWith("derain") ? command : "derain " + command) + " --help)");
			} else positional.add(a);
		}
	}

	public boolean has(String name) {
		return options.containsKey(name);
	}

	public String string(String name, String fallback) {
		return options.getOrDefault(name, fallback);
	}

	public String required(String name) {
		String v = options.get(name);
		if (v == null) throw new UsageException(command + ": --" + name + " is required");
		return v;
	}

	public Path path(String name) {
		return Paths.get(required(name));
	}

	public int integer(String name, int fallback, int min) {
		String v = options.get(name);
		if (v == null) return fallback;
		try {
			int n = Integer.parseInt(v.trim());
			if (n < min) throw new UsageException(command + ": --" + name + " must be at least " + min + ", got " + n);
			return n;
		} catch (NumberFormatException e) {
			throw new UsageException(command + ": --" + name + " must be a whole number, got '" + v + "'");
		}
	}

	public double number(String name, double fallback) {
		String v = options.get(name);
		if (v == null) return fallback;
		try {
			return Double.parseDouble(v.trim());
		} catch (NumberFormatException e) {
			throw new UsageException(command + ": --" + name + " must be a number, got '" + v + "'");
		}
	}

	public long longValue(String name, long fallback) {
		String v = options.get(name);
		if (v == null) return fallback;
		try {
			return Long.parseLong(v.trim());
		} catch (NumberFormatException e) {
			throw new UsageException(command + ": --" + name + " must be a whole number, got '" + v + "'");
		}
	}

	public boolean flag(String name) {
		return options.containsKey(name);
	}

	public List<String> positional() {
		return positional;
	}

	/** A mistake in how the tool was called: printed as one line with exit code 2. */
	public static final class UsageException extends RuntimeException {
		private static final long serialVersionUID = 1L;

		public UsageException(String message) {
			super(message);
		}
	}
}
