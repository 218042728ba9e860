package fiji.plugin.derain.batch;

import java.nio.file.Path;

/**
 * The outcome for one input of a batch.
 *
 * @param file the input file, relative to the batch's input folder (or as given)
 * @param status what happened
 * @param seconds wall time spent on it
 * @param message why it failed or was skipped; when done, a note such as a dropped alpha channel, or empty
 */
public record BatchItem(Path file, Status status, double seconds, String message) {

	public enum Status {
		/** Processed and written. */
		DONE,
		/** The output already existed (a resumed batch) and overwriting was not asked for. */
		SKIPPED,
		/** Could not be processed; the message says why. The batch went on. */
		FAILED,
		/** Not reached because the batch was cancelled. */
		CANCELLED;

		public String id() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}
	}
}
