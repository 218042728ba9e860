package fiji.plugin.derain.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.UUID;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on a Hadoop file system ({@code hdfs:}, {@code s3a:}, ...), written the way {@code io.AtomicFiles} writes
 * local ones: under a hidden temporary name {@code .NAME.partial-ID.ext} in the target's folder, then renamed, so
 * that a reader (or a rerun) sees either no output or a complete one.
 */
final class HadoopFiles {
	private HadoopFiles() {}

	/** True for {@code file:} URIs, which the plugin's own local-file code handles. */
	static boolean isLocal(String uri) {
		return "file".equals(new Path(uri).toUri().getScheme());
	}

	static void copyToLocal(FileSystem fs, Path from, java.nio.file.Path to) throws IOException {
		Files.createDirectories(to.toAbsolutePath().getParent());
		try (InputStream in = fs.open(from); OutputStream out = Files.newOutputStream(to)) {
			in.transferTo(out);
		}
	}

	/**
	 * Copies a local file to {@code target} atomically.
	 *
	 * @param overwrite if false and {@code target} exists (another attempt of the same task finished first), fails
	 */
	static void publish(java.nio.file.Path local, FileSystem fs, Path target, boolean overwrite) throws IOException {
		String name = target.getName();
		int dot = name.lastIndexOf('.');
		Path tmp = new Path(target.getParent(), "." + name + ".partial-" + UUID.randomUUID()
			+ (dot > 0 ? name.substring(dot) : ".tmp"));
		try {
			try (InputStream in = Files.newInputStream(local); FSDataOutputStream out = fs.create(tmp, false)) {
				in.transferTo(out);
			}
			// Hadoop's rename never replaces a file: an asked-for overwrite removes the old output first
			if (overwrite) fs.delete(target, false);
			if (!fs.rename(tmp, target)) {
				if (fs.exists(target)) throw new FileAlreadyExistsException(target.toString(), null,
					"already exists; pass --overwrite to replace it");
				throw new IOException("could not rename " + tmp + " to " + target);
			}
		} finally {
			fs.delete(tmp, false);
		}
	}
}
