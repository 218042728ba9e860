package fiji.plugin.derain.predict;

import fiji.plugin.derain.io.ModelFolder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where models come from. A model is named by one of:
 * <ul>
 * <li>{@code default}: the model trained by this project, shipped inside the plugin jar (and in the
 * repository's {@code models/default}), used from a copy in the cache folder ({@link #cacheRoot()});</li>
 * <li>the name of a folder in the user models folder ({@code ~/.fiji-derain/models}, or the folder given by the
 * {@code derain.models} system property or the {@code DERAIN_MODELS} environment variable);</li>
 * <li>a path to a model folder (one holding {@code model.json}).</li>
 * </ul>
 */
public final class ModelCatalog {
	private ModelCatalog() {}

	public static final String DEFAULT = "default";
	private static final String RESOURCE = "/models/default/";
	private static Path extractedDefault;

	/** The user models folder (may not exist yet). */
	public static Path userModels() {
		String p = System.getProperty("derain.models", System.getenv("DERAIN_MODELS"));
		return p != null && !p.isBlank() ? Paths.get(p) : Paths.get(System.getProperty("user.home"), ".fiji-derain",
			"models");
	}

	/** "default" followed by the names of the installed models, for a dialog's choice list. */
	public static List<String> names() {
		List<String> names = new ArrayList<>(List.of(DEFAULT));
		Path dir = userModels();
		if (Files.isDirectory(dir)) {
			try (Stream<Path> s = Files.list(dir)) {
				s.filter(p -> Files.isRegularFile(p.resolve(ModelFolder.DESCRIPTOR))).map(p -> p.getFileName().toString())
					.sorted().forEach(names::add);
			} catch (IOException e) {
				// an unreadable models folder just lists nothing; resolve() names the problem if one is asked for
			}
		}
		return names;
	}

	/**
	 * The model folder for {@code spec} (see the class comment).
	 *
	 * @throws NoSuchFileException saying where it looked
	 */
	public static Path resolve(String spec) throws IOException {
		String s = spec == null ? "" : spec.trim();
		if (s.isEmpty() || s.equals(DEFAULT)) return defaultModel();
		Path installed = userModels().resolve(s).normalize();
		if (!s.contains("/") && !s.contains("\\") && Files.isRegularFile(installed.resolve(ModelFolder.DESCRIPTOR)))
			return installed;
		Path folder = Paths.get(s);
		if (Files.isRegularFile(folder.resolve(ModelFolder.DESCRIPTOR))) return folder;
		throw new NoSuchFileException(s, null, "no such model: not 'default', not a model in " + userModels()
			+ ", and not a folder holding " + ModelFolder.DESCRIPTOR);
	}

	/**
	 * The shipped default model, extracted once into the cache ({@link DefaultModelCache}) and reused by later runs;
	 * in a private temporary folder, removed when the JVM exits, only when the cache cannot be written.
	 */
	private static synchronized Path defaultModel() throws IOException {
		if (defaultFiles == null) defaultFiles = defaultFiles();
		// checked on every use: the cached copy may have been deleted or damaged since
		if (extractedDefault == null || !DefaultModelCache.holds(extractedDefault, defaultFiles))
			extractedDefault = DefaultModelCache.extract(cacheRoot(), defaultFiles);
		return extractedDefault;
	}

	private static final String[] DEFAULT_FILES = {ModelFolder.DESCRIPTOR, "weights.safetensors"};
	/** The default model's files, read from the jar once (about 2 MB). */
	private static Map<String, byte[]> defaultFiles;

	private static Map<String, byte[]> defaultFiles() throws IOException {
		if (ModelCatalog.class.getResource(RESOURCE + ModelFolder.DESCRIPTOR) == null)
			throw new NoSuchFileException("default model", null,
				"this build has no default model (models/default is missing); pick a model folder instead");
		Map<String, byte[]> files = new LinkedHashMap<>();
		for (String name : DEFAULT_FILES) {
			try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE + name)) {
				if (in == null) throw new NoSuchFileException(RESOURCE + name, null, "incomplete default model in the jar");
				files.put(name, in.readAllBytes());
			}
		}
		return files;
	}

	/**
	 * Where extracted models are cached: the {@code derain.cache} system property, else the {@code DERAIN_CACHE}
	 * environment variable, else {@code $XDG_CACHE_HOME/fiji-derain}, else {@code ~/.cache/fiji-derain}.
	 */
	public static Path cacheRoot() {
		String p = System.getProperty("derain.cache", System.getenv("DERAIN_CACHE"));
		if (p != null && !p.isBlank()) return Paths.get(p);
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute()) return Paths.get(xdg, "fiji-derain");
		return Paths.get(System.getProperty("user.home"), ".cache", "fiji-derain");
	}
}
