package fiji.plugin.derain.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that nothing is ever lost or half-written: the content goes to a hidden temporary file
 * in the target's folder, which is then renamed onto the target in one step. A reader (or a resumed batch)
 * therefore sees either no file or the complete file; a killed run leaves at most a stray
 * {@code .name.partial-*} file, never a truncated result.
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
		String name = target.getFileName().toString();
		Path tmp = Files.createTempFile(dir, "." + name + ".partial-", suffixOf(name));
		try {
			writer.write(tmp);
			refuseExisting(target, overwrite); // it may have appeared while we were writing
			move(tmp, target);
		} finally {
			Files.deleteIfExists(tmp);
		}
	}

	/** Fails if {@code target} exists and overwriting was not asked for. */
	public static void refuseExisting(Path target, boolean overwrite) throws IOException {
		if (!overwrite && Files.exists(target))
			throw new FileAlreadyExistsException(target.toString(), null,
				"already exists; pass --overwrite (or tick 'overwrite') to replace it");
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
}
