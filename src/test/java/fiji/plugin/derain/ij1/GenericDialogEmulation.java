package fiji.plugin.derain.ij1;

import ij.IJ;
import ij.Macro;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What ImageJ 1.54p's {@code ij.gui.GenericDialog} reads while a macro runs, without its AWT fields (which cannot
 * exist headless): the options are {@link Macro#getOptions()} when the dialog is made (its constructor), and
 * <ul>
 * <li>{@code getNextString}, {@code getNextChoice}: {@code Macro.getValue(options, label, current)};</li>
 * <li>{@code getNextNumber}: the same text; the default value if it equals the field's default text
 * ({@code IJ.d2s(value, digits)}), else {@code Double.valueOf(text)}, NaN when that fails;</li>
 * <li>{@code getNextBoolean}: {@code isMatch(options, Macro.trimKey(label) + " ")}, copied below.</li>
 * </ul>
 * Not emulated: {@code &variable} and bare macro-variable values (read from the running interpreter), hex
 * numbers. Without a macro every field keeps its default. {@link #keys()} lists the macro key of every field.
 */
final class GenericDialogEmulation extends DialogFields {
	private final String options = Macro.getOptions();
	private final List<String> strings = new ArrayList<>(), stringDefaults = new ArrayList<>();
	private final List<String> numbers = new ArrayList<>();
	private final List<Double> numberDefaults = new ArrayList<>();
	private final List<String> numberTexts = new ArrayList<>();
	private final List<String> choices = new ArrayList<>(), choiceDefaults = new ArrayList<>();
	private final List<String> checkboxes = new ArrayList<>();
	private final List<Boolean> checkboxDefaults = new ArrayList<>();
	private final List<String> keys = new ArrayList<>();
	private int nextString, nextNumber, nextChoice, nextCheckbox;

	/** The macro key of every field, in the order added. */
	List<String> keys() {
		return keys;
	}

	@Override
	void addChoice(String label, String[] items, String value) {
		choices.add(label);
		// Choice.select of an item that is not in the list leaves the first item selected
		choiceDefaults.add(Arrays.asList(items).contains(value) ? value : items[0]);
		keys.add(Macro.trimKey(label));
	}

	@Override
	void addStringField(String label, String value, int columns) {
		strings.add(label);
		stringDefaults.add(value);
		keys.add(Macro.trimKey(label));
	}

	@Override
	void addDirectoryField(String label, String value, int columns) {
		addStringField(label, IJ.addSeparator(value), columns);
	}

	@Override
	void addFileField(String label, String value, int columns) {
		addStringField(label, value, columns);
	}

	@Override
	void addNumericField(String label, double value, int digits, int columns, String units) {
		numbers.add(label);
		numberDefaults.add(value);
		numberTexts.add(Double.isNaN(value) ? "" : IJ.d2s(value, digits));
		keys.add(Macro.trimKey(label));
	}

	@Override
	void addMessage(String text) {}

	@Override
	void addCheckboxField(String label, boolean value) {
		checkboxes.add(label);
		checkboxDefaults.add(value);
		keys.add(Macro.trimKey(label));
	}

	@Override
	boolean show() {
		return true;
	}

	@Override
	String getNextString() {
		int i = nextString++;
		return options == null ? stringDefaults.get(i) : Macro.getValue(options, strings.get(i), stringDefaults.get(i));
	}

	@Override
	double getNextNumber() {
		int i = nextNumber++;
		String text = options == null ? numberTexts.get(i) : Macro.getValue(options, numbers.get(i), numberTexts.get(i));
		if (text.equals(numberTexts.get(i))) return numberDefaults.get(i);
		try {
			return Double.valueOf(text);
		} catch (NumberFormatException e) {
			return Double.NaN;
		}
	}

	@Override
	String getNextChoice() {
		int i = nextChoice++;
		return options == null ? choiceDefaults.get(i) : Macro.getValue(options, choices.get(i), choiceDefaults.get(i));
	}

	@Override
	boolean nextCheckbox() {
		int i = nextCheckbox++;
		return options == null ? checkboxDefaults.get(i) : isMatch(options, Macro.trimKey(checkboxes.get(i)) + " ");
	}

	/** {@code GenericDialog.isMatch} of ImageJ 1.54p, unchanged. */
	static boolean isMatch(String s1, String s2) {
		if (s1.startsWith(s2))
			return true;
		s2 = " " + s2;
		int len1 = s1.length();
		int len2 = s2.length();
		boolean match, inLiteral = false;
		char c;
		for (int i = 0; i < len1 - len2 + 1; i++) {
			c = s1.charAt(i);
			if (inLiteral && c == ']')
				inLiteral = false;
			else if (c == '[')
				inLiteral = true;
			if (c != s2.charAt(0) || inLiteral || (i > 1 && s1.charAt(i - 1) == '='))
				continue;
			match = true;
			for (int j = 0; j < len2; j++) {
				if (s2.charAt(j) != s1.charAt(i + j)) {
					match = false;
					break;
				}
			}
			if (match) return true;
		}
		return false;
	}
}
