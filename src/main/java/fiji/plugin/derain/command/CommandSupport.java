package fiji.plugin.derain.command;

import fiji.plugin.derain.StopRequest;
import fiji.plugin.derain.UserMessages;

import ij.IJ;
import ij.Macro;
import ij.measure.ResultsTable;
import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import org.scijava.app.StatusService;
import org.scijava.log.LogService;
import org.scijava.ui.DialogPrompt;
import org.scijava.ui.UIService;

/**
 * What every Deraining command needs from the application it runs in, whether that is Fiji (SciJava
 * services) or plain ImageJ 1.x: status line and progress bar, the log, whether the user cancelled, and how
 * to tell the user that the command failed. Each command's work is one static method that takes a
 * {@link Feedback}; its SciJava {@code run()} and its ImageJ 1.x twin only gather parameters and pick a host.
 */
public final class CommandSupport {
	private CommandSupport() {}

	/** The running application as a command sees it. */
	public interface Feedback {
		/** One line in the status bar. */
		void status(String message);

		/** The progress bar at {@code done / total}; {@code done >= total} clears it. */
		void progress(long done, long total);

		/** A line in the log window (Fiji: the LogService). */
		void log(String line);

		/** True once the user asked to stop (Esc in either app, or a SciJava cancel). */
		boolean cancelled();

		/**
		 * Tells the user that {@code command} failed: a dialog when someone is looking at the screen, else a
		 * log line followed by an exception (SciJava) or an aborted macro (ImageJ 1.x batch mode), so that a
		 * batch never hangs on a modal dialog and never carries on as if the step had worked.
		 */
		void fail(String command, Throwable error);
	}

	/**
	 * Feedback through ImageJ 1.x: {@code IJ.showStatus}, {@code IJ.showProgress}, {@code IJ.log},
	 * {@code IJ.escapePressed()}. Resets the Esc flag, so call it when the command starts.
	 */
	public static Feedback imageJ1() {
		IJ.resetEscape();
		return new Feedback() {
			@Override
			public void status(String message) {
				IJ.showStatus(message);
			}

			@Override
			public void progress(long done, long total) {
				IJ.showProgress(fraction(done, total));
			}

			@Override
			public void log(String line) {
				IJ.log(line);
			}

			@Override
			public boolean cancelled() {
				return IJ.escapePressed();
			}

			@Override
			public void fail(String command, Throwable error) {
				String message = message(error);
				IJ.showProgress(1.0);
				IJ.showStatus(command + ": " + message);
				if (onScreen()) IJ.error(command, message);
				else // a batch-mode macro (java -jar ij.jar -batch) has nobody to close a dialog; IJ.log prints
					IJ.log(command + ": error: " + message);
				// A macro must stop here rather than go on with a missing result.
				if (Macro.getOptions() != null || Interpreter.getInstance() != null) {
					Interpreter.abort();
					Macro.abort();
				}
			}
		};
	}

	/**
	 * Feedback through SciJava services, any of which may be null (a bare {@code Context}); Esc in the ImageJ
	 * 1.x window of Fiji counts as a cancel, as does {@code cancelled}.
	 */
	public static Feedback sciJava(StatusService statusService, LogService logService, UIService ui,
		BooleanSupplier cancelled) {
		IJ.resetEscape();
		return new Feedback() {
			@Override
			public void status(String message) {
				if (statusService != null) statusService.showStatus(message);
			}

			@Override
			public void progress(long done, long total) {
				if (statusService == null) return;
				if (done >= total) statusService.clearStatus();
				else statusService.showProgress((int) Math.round(1000 * fraction(done, total)), 1000);
			}

			@Override
			public void log(String line) {
				if (logService != null) logService.info(line);
			}

			@Override
			public boolean cancelled() {
				return cancelled.getAsBoolean() || IJ.escapePressed() || Thread.currentThread().isInterrupted();
			}

			@Override
			public void fail(String command, Throwable error) {
				String message = message(error);
				if (logService != null) logService.error(command + ": " + message);
				if (ui != null && !ui.isHeadless() && ui.getDefaultUI() != null && Macro.getOptions() == null) {
					ui.showDialog(message, command, DialogPrompt.MessageType.ERROR_MESSAGE);
					return;
				}
				throw new CommandException(command + ": " + message, error);
			}
		};
	}

	/** A command's work, given the feedback it reports to. */
	@FunctionalInterface
	public interface Work {
		void run(Feedback feedback) throws Exception;
	}

	/**
	 * Runs {@code work} so that the application quitting (Fiji or ImageJ closed, the JVM stopped by a signal) counts as
	 * a cancel: the work stops at its next safe point (a tile, a file, a training step, saving what can be resumed)
	 * while the JVM waits for it ({@link StopRequest}), instead of exiting under a running libtorch op. Failures and
	 * cancels go to {@code feedback.fail}.
	 */
	public static void run(String command, Feedback feedback, Work work) {
		try (StopRequest quitting = new StopRequest(feedback::log, command + ": the application is quitting; stopping"
			+ " after the current step, tile or file")) {
			work.run(orWhen(feedback, quitting::requested));
		} catch (Exception | OutOfMemoryError e) {
			feedback.fail(command, e);
		}
	}

	/** {@code feedback}, also cancelled once {@code stop} holds. */
	static Feedback orWhen(Feedback feedback, BooleanSupplier stop) {
		return new Feedback() {
			@Override
			public void status(String message) {
				feedback.status(message);
			}

			@Override
			public void progress(long done, long total) {
				feedback.progress(done, total);
			}

			@Override
			public void log(String line) {
				feedback.log(line);
			}

			@Override
			public boolean cancelled() {
				return feedback.cancelled() || stop.getAsBoolean();
			}

			@Override
			public void fail(String command, Throwable error) {
				feedback.fail(command, error);
			}
		};
	}

	/** A command stopped for the reason in its message (a bad parameter, an unreadable file, a cancel). */
	public static final class CommandException extends RuntimeException {
		private static final long serialVersionUID = 1L;

		public CommandException(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/** The reason of {@code error} as the user should read it (no stack trace; cancels read "cancelled"). */
	public static String message(Throwable error) {
		return error instanceof CancellationException ? "cancelled (Esc)" : UserMessages.describe(error);
	}

	/** Shows {@code table} in a window titled {@code title}, unless there is no screen (headless). */
	public static void show(ResultsTable table, String title) {
		if (!GraphicsEnvironment.isHeadless()) table.show(title);
	}

	/** Throws {@link CancellationException} once the user cancelled: call between steps. */
	public static void checkCancelled(Feedback feedback) {
		if (feedback.cancelled()) throw new CancellationException();
	}

	/** True when ImageJ 1.x has its window, so that a dialog can be seen and closed. */
	private static boolean onScreen() {
		return !GraphicsEnvironment.isHeadless() && IJ.getInstance() != null;
	}

	private static double fraction(long done, long total) {
		return total <= 0 || done >= total ? 1.0 : (double) done / total;
	}
}
