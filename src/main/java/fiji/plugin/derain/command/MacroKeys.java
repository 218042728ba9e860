package fiji.plugin.derain.command;

import ij.Macro;

import java.util.Locale;

/**
 * How a macro's options string sets a boolean (checkbox) parameter, the same in Fiji and in plain ImageJ 1.x:
 * {@code key=true} or the bare word {@code key} ticks it, {@code key=false} or leaving it out clears it.
 * <p>
 * Both apps need this because each understands only one form by itself (ImageJ 1.54p and imagej-legacy as of
 * 2026-04): ImageJ 1.x's {@code GenericDialog.getNextBoolean} looks for the bare word ({@code isMatch(options,
 * key + " ")}), so {@code overwrite=true}, what Fiji's recorder writes, reads as false; imagej-legacy's
 * {@code MacroPreprocessor} sets a SciJava input from {@code Macro.getValue(options, name, null)} converted by the
 * {@code ConvertService}, and {@code getValue} finds only {@code key=value}, so a bare {@code overwrite}, what
 * ImageJ 1.x's recorder writes, leaves the input false.
 */
public final class MacroKeys {
	private MacroKeys() {}

	/**
	 * The value {@code options} gives the boolean {@code key}: {@code key=true|false} (any case, also in brackets
	 * or quotes) or, without a value, whether the bare word {@code key} is there.
	 *
	 * @throws IllegalArgumentException naming the key when its value is neither true nor false
	 */
	public static boolean flag(String options, String key) {
		String value = Macro.getValue(options, key, null);
		if (value == null) return hasBareWord(options, key);
		switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true":
				return true;
			case "false":
				return false;
			default:
				throw new IllegalArgumentException(key + ": expected " + key + "=true, " + key + "=false or the bare word "
					+ key + ", got '" + value + "'");
		}
	}

	/**
	 * True when {@code key} stands alone among the space-separated words of {@code options}, not inside a
	 * {@code [bracketed]} or {@code 'quoted'} value (ImageJ 1.x's reading of a ticked checkbox).
	 */
	public static boolean hasBareWord(String options, String key) {
		int n = options.length();
		for (int i = 0; i < n;) {
			while (i < n && options.charAt(i) == ' ')
				i++;
			int start = i;
			i = endOfWord(options, i);
			if (options.substring(start, i).equals(key)) return true;
		}
		return false;
	}

	/** The end of the word starting at {@code i}: the next space outside brackets and quotes. */
	private static int endOfWord(String s, int i) {
		int depth = 0;
		boolean quoted = false;
		for (; i < s.length(); i++) {
			char c = s.charAt(i);
			if (quoted) quoted = c != '\'';
			else if (c == '\'' && i > 0 && s.charAt(i - 1) == '=') quoted = true;
			else if (c == '[') depth++;
			else if (c == ']' && depth > 0) depth--;
			else if (c == ' ' && depth == 0) break;
		}
		return i;
	}
}
