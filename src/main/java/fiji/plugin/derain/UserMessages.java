package fiji.plugin.derain;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;

/**
 * Turns an exception into the one line a user reads (in the CLI, a Fiji dialog, a batch report): what went
 * wrong, with which file or parameter, and what to do. Stack traces are for {@code --debug} only.
 */
public final class UserMessages {
	private UserMessages() {}

	public static String describe(Throwable t) {
		Throwable e = t;
		// Wrappers (reflection, executors, unchecked IO) carry the real reason as their cause.
		while ((e instanceof java.lang.reflect.InvocationTargetException
			|| e instanceof java.util.concurrent.ExecutionException || e instanceof java.io.UncheckedIOException)
			&& e.getCause() != null)
			e = e.getCause();
		if (e instanceof NoSuchFileException f) return "not found: " + f.getFile() + reason(f);
		if (e instanceof FileAlreadyExistsException f) return f.getFile() + reason(f, " already exists");
		if (e instanceof AccessDeniedException f) return "permission denied: " + f.getFile() + reason(f);
		if (e instanceof FileSystemException f) return f.getFile() + ": " + f.getReason();
		if (e instanceof CancellationException) return "cancelled" + (e.getMessage() == null ? "" : ": " + e.getMessage());
		if (e instanceof OutOfMemoryError)
			return "out of Java memory (" + e.getMessage() + "): use a smaller tile size or give Java more memory (-Xmx)";
		String m = e.getMessage();
		return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
	}

	private static String reason(FileSystemException f) {
		return f.getReason() == null ? "" : " (" + f.getReason() + ")";
	}

	private static String reason(FileSystemException f, String fallback) {
		return f.getReason() == null ? fallback : " " + f.getReason();
	}
}
