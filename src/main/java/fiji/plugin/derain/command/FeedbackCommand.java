package fiji.plugin.derain.command;

import java.io.File;

import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.UIService;

/**
 * What every Deraining command shares in Fiji: the optional status, log and UI services turned into one
 * {@link CommandSupport.Feedback} (progress, Esc/cancel, errors as a dialog or a thrown
 * {@link CommandSupport.CommandException} when headless). Subclasses declare their own parameters and implement
 * {@link #execute}; nothing else lives here.
 */
abstract class FeedbackCommand extends ContextCommand {

	@Parameter(required = false)
	private StatusService statusService;

	@Parameter(required = false)
	private LogService logService;

	@Parameter(required = false)
	private UIService uiService;

	/** The menu label, used to prefix error messages. */
	abstract String label();

	/** The command's work: read the parameters, call the engine, set the outputs. */
	abstract void execute(CommandSupport.Feedback feedback) throws Exception;

	/**
	 * Null for a missing or empty path: a macro's {@code key=[]} gives {@code new File("")} in Fiji (the
	 * {@code ConvertService}) where the ImageJ 1.x twin reads null, and both mean "not given".
	 */
	static File file(File f) {
		return f == null || f.getPath().isBlank() ? null : f;
	}

	@Override
	public final void run() {
		CommandSupport.run(label(), CommandSupport.sciJava(statusService, logService, uiService, this::isCanceled),
			this::execute);
	}
}
