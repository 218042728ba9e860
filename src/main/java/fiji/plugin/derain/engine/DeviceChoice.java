package fiji.plugin.derain.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which device the user asked for. {@code AUTO} takes a usable GPU when there is one, else the CPU;
 * {@code GPU} falls back to the CPU (with a message) when no GPU can be used. The lower-case
 * {@link #id()} is what macros and dialogs show ({@code device=auto}).
 */
public enum DeviceChoice {
	AUTO, CPU, GPU;

	/** The ids in declaration order, for dialog choice lists: {@code auto, cpu, gpu}. */
	public static String[] ids() {
		return Arrays.stream(values()).map(DeviceChoice::id).toArray(String[]::new);
	}

	/**
	 * Parses a user-typed device name, ignoring case and surrounding blanks.
	 *
	 * @throws IllegalArgumentException naming the bad value and the allowed ones
	 */
	public static DeviceChoice parse(String s) {
		String t = s == null ? "" : s.trim();
		for (DeviceChoice c : values())
			if (c.name().equalsIgnoreCase(t)) return c;
		throw new IllegalArgumentException("unknown device '" + s + "': use "
				+ Arrays.stream(ids()).collect(Collectors.joining(" | ")));
	}

	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}
}
