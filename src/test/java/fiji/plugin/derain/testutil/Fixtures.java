package fiji.plugin.derain.testutil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the committed reference fixtures (written by the scripts in {@code tools/}). */
public final class Fixtures {
	private Fixtures() {}

	/** Absolute path of a fixture under {@code src/test/resources/fixtures/}. */
	public static Path path(String relative) {
		try {
			return Paths.get(Fixtures.class.getResource("/fixtures/" + relative).toURI());
		} catch (Exception e) {
			throw new IllegalStateException("missing fixture " + relative + ": run the generator in tools/", e);
		}
	}

	/** Loads a safetensors fixture as name → array, attached to {@code manager}. */
	public static Map<String, NDArray> load(NDManager manager, String relative) {
		try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + relative)) {
			if (in == null) throw new IllegalStateException("missing fixture " + relative + ": run the generator in tools/");
			NDList list = NDList.decode(manager, in);
			Map<String, NDArray> map = new LinkedHashMap<>();
			for (NDArray a : list) map.put(a.getName(), a);
			return map;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
