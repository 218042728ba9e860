package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;

import ij.plugin.PlugIn;

/**
 * An ImageJ 1.x twin of a SciJava command: a dialog whose macro keys are the command's parameter names, read
 * into the same parameters {@code P} the command builds from its fields, then the command's own static method.
 * A bad value or a failure ends in one message ({@link CommandSupport.Feedback#fail}).
 *
 * @param <P> the parameters of a run, as the SciJava command's accessor returns them
 */
abstract class DerainPlugIn<P> implements PlugIn {

	/** The menu label: dialog title and prefix of messages. */
	abstract String label();

	/** Adds the fields, in the order {@link #read} reads them. */
	abstract void addFields(DialogFields gd);

	/** Reads the fields of {@link #addFields}; a bad value throws an exception whose message names its key. */
	abstract P read(DialogFields gd);

	/** Runs the command with {@code parameters}. */
	abstract void run(P parameters, CommandSupport.Feedback feedback) throws Exception;

	@Override
	public final void run(String arg) {
		DialogFields gd = DialogFields.of(label());
		addFields(gd);
		if (!gd.show()) return;
		CommandSupport.run(label(), CommandSupport.imageJ1(), feedback -> run(read(gd), feedback));
	}
}
