package fiji.plugin.derain.cli;

import java.io.PrintStream;

/**
 * Where the CLI talks: results on {@code out}, progress and warnings on {@code err}. Progress is a single
 * self-overwriting line when stderr is a terminal, and otherwise a plain line every 30 s and at the end (so
 * logs of long runs stay readable).
 */
final class Console {
	final PrintStream out;
	final PrintStream err;
	private final boolean terminal = System.console() != null;
	private boolean progressShown;
	private long lastLine;

	Console(PrintStream out, PrintStream err) {
		this.out = out;
		this.err = err;
	}

	/** Shows "label  done/total (pct%)"; on a terminal the line is redrawn in place. */
	synchronized void progress(String label, long done, long total) {
		String line = String.format("%s  %d/%d (%d%%)", label, done, total, total == 0 ? 100 : done * 100 / total);
		if (terminal) {
			err.print("\r" + line + "\033[K");
			progressShown = true;
			if (done >= total) endProgress();
		} else if (done >= total || System.nanoTime() - lastLine > 30_000_000_000L) {
			err.println(line); // logs get a line every 30 s, not one per step
			lastLine = System.nanoTime();
		}
	}

	synchronized void endProgress() {
		if (progressShown) err.println();
		progressShown = false;
	}

	/** A warning or note, on its own line. */
	synchronized void note(String message) {
		endProgress();
		err.println(message);
	}
}
