package fiji.plugin.derain.io;

import fiji.plugin.derain.UserMessages;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that nothing is ever lost or half-written: the content goes to a hidden temporary file
 * in the target's folder, which is then renamed onto the target in one step. A reader (or a resumed batch)
 * therefore sees either no file or the complete file; a killed run leaves at most a stray
 * {@code .name.partial-PID-N.ext} file, never a truncated result, and the next write of the same target removes
 * such strays once their process is gone.
 */
public final class AtomicFiles {
	private AtomicFiles() {}

	/** Produces the content of a file. */
	@FunctionalInterface
	public interface Writer {
		void write(OutputStream out) throws IOException;
	}

	/** Produces a file at the given (temporary) path, e.g. a library that insists on a path. */
	@FunctionalInterface
	public interface PathWriter {
		void write(Path temporary) throws IOException;
	}

	/**
	 * Writes {@code target} atomically.
	 *
	 * @param overwrite if false and {@code target} exists, fails with a message saying how to allow it
	 */
	public static void write(Path target, boolean overwrite, Writer writer) throws IOException {
		writeVia(target, overwrite, tmp -> {
			try (OutputStream out = Files.newOutputStream(tmp)) {
				writer.write(out);
			}
		});
	}

	/** Like {@link #write} for producers that write a path themselves. */
	public static void writeVia(Path target, boolean overwrite, PathWriter writer) throws IOException {
		Path dir = target.toAbsolutePath().getParent();
		refuseExisting(target, overwrite);
		Files.createDirectories(dir);
		removeStalePartials(target);
		String name = target.getFileName().toString();
		Path tmp = Files.createTempFile(dir, partialPrefix(name) + ProcessHandle.current().pid() + "-", suffixOf(name));
		try {
			writer.write(tmp);
			refuseExisting(target, overwrite); // it may have appeared while we were writing
			move(tmp, target);
		} finally {
			Files.deleteIfExists(tmp);
		}
	}

	/**
	 * Makes sure that {@code dir} is a folder this process can create files in, creating it when missing, so that a
	 * batch can refuse an unusable output folder before any work.
	 *
	 * @throws FileSystemException naming the folder: it is a file, cannot be created or is not writable
	 */
	public static void requireWritableFolder(Path dir) throws IOException {
		if (Files.exists(dir) && !Files.isDirectory(dir))
			throw new FileSystemException(dir.toString(), null, "is a file, not a folder: give a folder for the outputs");
		try {
			Files.createDirectories(dir);
			Files.delete(Files.createTempFile(dir, ".derain-write-test-", ".tmp"));
		} catch (IOException e) {
			throw new FileSystemException(dir.toString(), null,
				"cannot be used as the output folder (" + UserMessages.describe(e) + "): choose a writable folder");
		}
	}

	/** Fails if {@code target} exists and overwriting was not asked for. */
	public static void refuseExisting(Path target, boolean overwrite) throws IOException {
		if (!overwrite && Files.exists(target))
			throw new FileAlreadyExistsException(target.toString(), null,
				"already exists; pass --overwrite (or tick 'overwrite') to replace it");
	}

	/**
	 * Deletes the leftovers of killed writes of {@code target}: files named {@code .NAME.partial-PID-N.ext} whose
	 * process {@code PID} is no longer running, and {@code .NAME.partial-N.ext} (the naming of earlier versions,
	 * without a process id) not modified for {@value #LEGACY_STALE_HOURS} hours. Nothing else is touched: not other
	 * targets' partial files, not a partial file of a write still in progress.
	 *
	 * @return how many files were removed
	 */
	public static int removeStalePartials(Path target) throws IOException {
		Path dir = target.toAbsolutePath().getParent();
		if (dir == null || !Files.isDirectory(dir)) return 0;
		String name = target.getFileName().toString();
		String prefix = partialPrefix(name), suffix = suffixOf(name);
		int removed = 0;
		try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, p -> {
			String n = p.getFileName().toString();
			return n.startsWith(prefix) && n.endsWith(suffix) && n.length() > prefix.length() + suffix.length();
		})) {
			for (Path p : partials) {
				String n = p.getFileName().toString();
				if (isStale(n.substring(prefix.length(), n.length() - suffix.length()), p) && Files.deleteIfExists(p))
					removed++;
			}
		}
		return removed;
	}

	/** Hours after which a partial file without a process id counts as left over. */
	static final int LEGACY_STALE_HOURS = 1;

	private static final Pattern WITH_PID = Pattern.compile("(\\d+)-\\d+"), LEGACY = Pattern.compile("\\d+");

	/** {@code id} is what lies between {@code .NAME.partial-} and the extension. */
	private static boolean isStale(String id, Path partial) throws IOException {
		if (!Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS)) return false;
		Matcher m = WITH_PID.matcher(id);
		if (m.matches()) {
			long pid;
			try {
				pid = Long.parseLong(m.group(1));
			} catch (NumberFormatException e) {
				return false;
			}
			return pid != ProcessHandle.current().pid() && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
		}
		if (!LEGACY.matcher(id).matches()) return false;
		FileTime modified = Files.getLastModifiedTime(partial, LinkOption.NOFOLLOW_LINKS);
		return modified.toInstant().isBefore(Instant.now().minus(Duration.ofHours(LEGACY_STALE_HOURS)));
	}

	private static String partialPrefix(String name) {
		return "." + name + ".partial-";
	}

	/** Keeps the extension so that tools which look at it (image writers) still work on the temp file. */
	private static String suffixOf(String name) {
		int dot = name.lastIndexOf('.');
		return dot > 0 ? name.substring(dot) : ".tmp";
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	/**
	 * Renames a file or folder, atomically where the file system can; never replaces an existing {@code to}
	 * (a folder publishing a finished result: checkpoints, the extracted default model).
	 */
	public static void rename(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to);
		}
	}
}
