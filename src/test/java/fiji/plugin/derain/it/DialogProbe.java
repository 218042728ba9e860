package fiji.plugin.derain.it;

import ij.gui.GenericDialog;

import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.Label;
import java.awt.TextField;

/**
 * Describes the open ImageJ 1.x dialog for a test macro, which calls it inside the app under test
 * ({@code call("fiji.plugin.derain.it.DialogProbe.describe")}; {@link ImageJApp#withProbe} puts it on the app's
 * class path): {@code title=…}, then one line {@code label=value} per field in the order shown (a text field or
 * choice under the label shown before it, a checkbox under its own). An error message ("Unrecognized command",
 * a macro error) is no {@code GenericDialog}.
 */
public final class DialogProbe {
	private DialogProbe() {}

	/** The title and fields of the open GenericDialog, or "no GenericDialog is open". */
	public static String describe() {
		GenericDialog gd = GenericDialog.getInstance();
		if (gd == null || !gd.isShowing()) return "no GenericDialog is open";
		StringBuilder s = new StringBuilder("title=" + gd.getTitle() + "\n");
		fields(gd, new String[] { "" }, s);
		return s.toString();
	}

	private static void fields(Container container, String[] label, StringBuilder s) {
		for (Component c : container.getComponents()) {
			if (c instanceof Label l) label[0] = l.getText().trim();
			else if (c instanceof TextField t) s.append(label[0]).append('=').append(t.getText()).append('\n');
			else if (c instanceof Choice ch) s.append(label[0]).append('=').append(ch.getSelectedItem()).append('\n');
			else if (c instanceof Checkbox cb) s.append(cb.getLabel()).append('=').append(cb.getState()).append('\n');
			else if (c instanceof Container child) fields(child, label, s);
		}
	}
}
