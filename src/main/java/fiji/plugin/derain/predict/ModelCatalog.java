package fiji.plugin.derain.predict;

import fiji.plugin.derain.io.ModelFolder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where models come from. A model is named by one of:
 * <ul>
 * <li>{@code default}: the model trained by this project, shipped inside the plugin jar (and in the
 * repository's {@code models/default});</li>
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

	/** The shipped default model: copied once per JVM out of the jar into a private temporary folder. */
	private static synchronized Path defaultModel() throws IOException {
		if (extractedDefault != null) return extractedDefault;
		if (ModelCatalog.class.getResource(RESOURCE + ModelFolder.DESCRIPTOR) == null)
			throw new NoSuchFileException("default model", null,
				"this build has no default model (models/default is missing); pick a model folder instead");
		Path dir = Files.createTempDirectory("fiji-derain-default-model");
		for (String name : new String[] {ModelFolder.DESCRIPTOR, "weights.safetensors"}) {
			try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE + name)) {
				if (in == null) throw new NoSuchFileException(RESOURCE + name, null, "incomplete default model in the jar");
				Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
			}
			dir.resolve(name).toFile().deleteOnExit();
		}
		dir.toFile().deleteOnExit();
		extractedDefault = dir;
		return dir;
	}
}
