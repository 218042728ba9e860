package fiji.plugin.derain.spark;

import fiji.plugin.derain.io.Digests;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.predict.ModelCatalog;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * A model folder's files (descriptor and weights, a few MB), read once on the driver and broadcast, so that executors
 * need no shared file system and no model installed: each writes them into a local folder and opens that.
 *
 * @param name the model's name, for messages
 * @param files file name (relative to the folder) → content
 * @param sha256 digest over all names and contents: executors key their loaded model by it
 */
public record ModelFiles(String name, Map<String, byte[]> files, String sha256) implements Serializable {

	/**
	 * Reads the model named as {@code derain run --model} does ({@code default}, an installed name, a folder), or a
	 * model folder on any Hadoop file system ({@code hdfs://...}). The descriptor is checked here, so that a wrong
	 * model is one line on the driver rather than one failure per image.
	 */
	public static ModelFiles read(String spec, Configuration conf) throws IOException {
		Path folder = isRemote(spec) ? copyToLocal(spec, conf) : ModelCatalog.resolve(spec);
		ModelDescriptor d = ModelFolder.readDescriptor(folder);
		Map<String, byte[]> files = new LinkedHashMap<>();
		files.put(ModelFolder.DESCRIPTOR, Files.readAllBytes(folder.resolve(ModelFolder.DESCRIPTOR)));
		files.put(d.weights(), Files.readAllBytes(folder.resolve(d.weights())));
		return new ModelFiles(d.name(), files, digest(files));
	}

	/** Writes the files into {@code folder} (a model folder then). */
	public Path writeTo(Path folder) throws IOException {
		for (Map.Entry<String, byte[]> e : files.entrySet()) {
			Path file = folder.resolve(e.getKey());
			Files.createDirectories(file.getParent());
			Files.write(file, e.getValue());
		}
		return folder;
	}

	private static boolean isRemote(String spec) {
		String scheme = spec.contains(":/") ? URI.create(spec).getScheme() : null;
		return scheme != null && !scheme.equals("file");
	}

	private static Path copyToLocal(String uri, Configuration conf) throws IOException {
		org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(uri);
		FileSystem fs = folder.getFileSystem(conf);
		Path local = Files.createTempDirectory("fiji-derain-model-");
		local.toFile().deleteOnExit();
		org.apache.hadoop.fs.Path descriptor = new org.apache.hadoop.fs.Path(folder, ModelFolder.DESCRIPTOR);
		if (!fs.exists(descriptor)) throw new java.nio.file.NoSuchFileException(uri, null, "no such model folder: it has no "
			+ ModelFolder.DESCRIPTOR);
		HadoopFiles.copyToLocal(fs, descriptor, local.resolve(ModelFolder.DESCRIPTOR));
		String weights = ModelFolder.readDescriptor(local).weights();
		HadoopFiles.copyToLocal(fs, new org.apache.hadoop.fs.Path(folder, weights), local.resolve(weights));
		return local;
	}

	private static String digest(Map<String, byte[]> files) {
		MessageDigest sha = Digests.newSha256();
		files.forEach((name, bytes) -> {
			sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			sha.update(bytes);
		});
		return Digests.hex(sha);
	}
}
