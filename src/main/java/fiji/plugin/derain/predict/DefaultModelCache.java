package fiji.plugin.derain.predict;

import fiji.plugin.derain.io.AtomicFiles;
import fiji.plugin.derain.io.Digests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model shipped as resources, extracted once into {@code <cache>/models/default-<hash>/} where {@code <hash>} starts
 * the SHA-256 of its files: every run of the same build reuses that folder, a new build gets its own. The folder is
 * written as a hidden {@code .default-<hash>.partial-*} sibling and renamed into place, so a run (or another JVM)
 * sees it complete or not at all; it is checked against the hash before each use and replaced when it does not match.
 * Partial folders of killed runs are removed after an hour. When the cache cannot be written, the model goes to a
 * temporary folder removed when the JVM exits.
 */
final class DefaultModelCache {
	private DefaultModelCache() {}

	private static final String PREFIX = "default-";
	private static final Duration STALE = Duration.ofHours(1);

	/**
	 * The folder holding {@code files} (name → content): the cached one, or a fresh extraction.
	 *
	 * @param root the cache root (see {@link ModelCatalog#cacheRoot()}); created if missing
	 */
	static Path extract(Path root, Map<String, byte[]> files) throws IOException {
		String hash = hash(files).substring(0, 16);
		Path models = root.resolve("models"), target = models.resolve(PREFIX + hash);
		if (holds(target, files)) return target;
		try {
			Files.createDirectories(models);
			removeStalePartials(models);
			return install(models, target, files);
		} catch (IOException e) {
			return temporary(files);
		}
	}

	/** SHA-256 over the names, sizes and contents, in order. */
	static String hash(Map<String, byte[]> files) {
		MessageDigest d = Digests.newSha256();
		files.forEach((name, bytes) -> {
			d.update((name + "\0" + bytes.length + "\0").getBytes(StandardCharsets.UTF_8));
			d.update(bytes);
		});
		return Digests.hex(d);
	}

	/** True when {@code dir} holds exactly these files' bytes (a damaged or edited copy is not used). */
	static boolean holds(Path dir, Map<String, byte[]> files) {
		try {
			for (Map.Entry<String, byte[]> f : files.entrySet()) {
				Path p = dir.resolve(f.getKey());
				if (!Files.isRegularFile(p) || Files.size(p) != f.getValue().length
					|| !Arrays.equals(Files.readAllBytes(p), f.getValue()))
					return false;
			}
			return true;
		} catch (IOException e) {
			return false;
		}
	}

	/** Writes a partial folder and renames it to {@code target}; a rival JVM's complete copy wins the race. */
	private static Path install(Path models, Path target, Map<String, byte[]> files) throws IOException {
		Path partial = Files.createTempDirectory(models, "." + target.getFileName() + ".partial-");
		try {
			write(partial, files);
			if (!holds(target, files)) { // still missing (or damaged), unless another JVM just installed it
				if (Files.exists(target)) delete(moveAside(target));
				try {
					AtomicFiles.rename(partial, target);
				} catch (IOException e) {
					// another JVM renamed its copy into place first: checked below like ours
				}
			}
			if (!holds(target, files)) throw new IOException(target + " does not hold the model after extracting it");
			return target;
		} finally {
			delete(partial);
		}
	}

	private static void write(Path dir, Map<String, byte[]> files) throws IOException {
		for (Map.Entry<String, byte[]> f : files.entrySet())
			Files.write(dir.resolve(f.getKey()), f.getValue());
	}

	/** Renames {@code dir} to a partial name (so that it is cleaned like one) and returns where it went. */
	private static Path moveAside(Path dir) throws IOException {
		Path aside = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".partial-");
		Files.delete(aside);
		try {
			AtomicFiles.rename(dir, aside);
		} catch (IOException e) {
			return dir.resolveSibling(".missing"); // someone else moved it first
		}
		return aside;
	}


	/** Partial folders older than an hour: left by killed runs (a live extraction takes milliseconds). */
	private static void removeStalePartials(Path models) {
		FileTime cutoff = FileTime.from(Instant.now().minus(STALE));
		try (Stream<Path> s = Files.list(models)) {
			for (Path p : s.filter(p -> p.getFileName().toString().startsWith("." + PREFIX)
				&& p.getFileName().toString().contains(".partial-")).toList()) {
				if (Files.getLastModifiedTime(p).compareTo(cutoff) < 0) delete(p);
			}
		} catch (IOException e) {
			// best effort: a folder we cannot list or delete is only litter, never wrong results
		}
	}

	/** The fallback: a private temporary folder, files and folder removed when the JVM exits. */
	private static Path temporary(Map<String, byte[]> files) throws IOException {
		Path dir = Files.createTempDirectory("fiji-derain-default-model");
		// deleteOnExit runs in reverse order of registration: the files first, then their (then empty) folder
		dir.toFile().deleteOnExit();
		for (String name : files.keySet())
			dir.resolve(name).toFile().deleteOnExit();
		write(dir, files);
		return dir;
	}

	/** Deletes a folder tree, ignoring what is already gone. */
	private static void delete(Path dir) throws IOException {
		if (!Files.exists(dir)) return;
		List<Path> paths;
		try (Stream<Path> s = Files.walk(dir)) {
			paths = s.sorted(Comparator.reverseOrder()).toList();
		}
		for (Path p : paths)
			Files.deleteIfExists(p);
	}
}
