package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.MacroKeys;

import ij.Macro;
import ij.gui.GenericDialog;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link GenericDialog} calls of the ImageJ 1.x twins, so that what a twin reads from a macro can be checked
 * without a screen (a {@code GenericDialog} cannot exist headless). Each label's first word, lower-cased, is its
 * macro key ({@code Macro.trimKey}). Checkboxes accept a bare {@code key} as well as {@code key=true|false}
 * ({@link MacroKeys#flag}); everything else is read by the {@code GenericDialog} itself.
 */
abstract class DialogFields {
	private final List<String> checkboxLabels = new ArrayList<>();
	private int nextCheckbox;

	/** The fields of a real {@link GenericDialog} titled {@code title}. */
	static DialogFields of(String title) {
		return new ImageJDialog(new GenericDialog(title));
	}

	abstract void addChoice(String label, String[] items, String value);

	abstract void addStringField(String label, String value, int columns);

	abstract void addDirectoryField(String label, String value, int columns);

	abstract void addFileField(String label, String value, int columns);

	abstract void addNumericField(String label, double value, int digits, int columns, String units);

	abstract void addMessage(String text);

	final void addCheckbox(String label, boolean value) {
		checkboxLabels.add(label);
		addCheckboxField(label, value);
	}

	/** Shows the dialog (a macro: reads its options); false when the user cancelled. */
	abstract boolean show();

	abstract String getNextString();

	abstract double getNextNumber();

	abstract String getNextChoice();

	/** The next checkbox; while a macro runs, its key as a bare word or with {@code =true|false}. */
	final boolean getNextBoolean() {
		boolean ticked = nextCheckbox();
		String key = Macro.trimKey(checkboxLabels.get(nextCheckbox++));
		String options = Macro.getOptions();
		return options == null ? ticked : MacroKeys.flag(options, key);
	}

	abstract void addCheckboxField(String label, boolean value);

	/** The next checkbox as the dialog reads it (a macro: whether the key stands as a bare word). */
	abstract boolean nextCheckbox();

	private static final class ImageJDialog extends DialogFields {
		private final GenericDialog gd;

		ImageJDialog(GenericDialog gd) {
			this.gd = gd;
		}

		@Override
		void addChoice(String label, String[] items, String value) {
			gd.addChoice(label, items, value);
		}

		@Override
		void addStringField(String label, String value, int columns) {
			gd.addStringField(label, value, columns);
		}

		@Override
		void addDirectoryField(String label, String value, int columns) {
			gd.addDirectoryField(label, value, columns);
		}

		@Override
		void addFileField(String label, String value, int columns) {
			gd.addFileField(label, value, columns);
		}

		@Override
		void addNumericField(String label, double value, int digits, int columns, String units) {
			gd.addNumericField(label, value, digits, columns, units);
		}

		@Override
		void addMessage(String text) {
			gd.addMessage(text);
		}

		@Override
		void addCheckboxField(String label, boolean value) {
			gd.addCheckbox(label, value);
		}

		@Override
		boolean show() {
			gd.showDialog();
			return !gd.wasCanceled();
		}

		@Override
		String getNextString() {
			return gd.getNextString();
		}

		@Override
		double getNextNumber() {
			return gd.getNextNumber();
		}

		@Override
		String getNextChoice() {
			return gd.getNextChoice();
		}

		@Override
		boolean nextCheckbox() {
			return gd.getNextBoolean();
		}
	}
}
