package fiji.plugin.derain.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ModelFolder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default model is extracted once into a cache keyed by its hash, checked before use, and leaves no litter. */
class DefaultModelCacheTest {
	@TempDir
	Path tmp;

	private static final Map<String, byte[]> FILES = new LinkedHashMap<>();
	static {
		FILES.put("model.json", "{\"name\": \"default\"}".getBytes(StandardCharsets.UTF_8));
		FILES.put("weights.safetensors", new byte[] {1, 2, 3, 4, 5});
	}

	private static List<String> names(Path dir) throws Exception {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}

	@Test
	void extractsOnceIntoAFolderNamedByTheHashAndReusesIt() throws Exception {
		Path first = DefaultModelCache.extract(tmp, FILES);
		assertEquals(tmp.resolve("models/default-" + DefaultModelCache.hash(FILES).substring(0, 16)), first);
		assertArrayEquals(FILES.get("weights.safetensors"), Files.readAllBytes(first.resolve("weights.safetensors")));
		FileTime written = Files.getLastModifiedTime(first.resolve("weights.safetensors"));
		Files.setLastModifiedTime(first.resolve("weights.safetensors"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
		assertEquals(first, DefaultModelCache.extract(tmp, FILES));
		assertEquals(FileTime.from(Instant.parse("2020-01-01T00:00:00Z")),
			Files.getLastModifiedTime(first.resolve("weights.safetensors")), "reused, not rewritten (was " + written + ")");
		assertEquals(List.of(first.getFileName().toString()), names(tmp.resolve("models")), "no partial folders left");
		Map<String, byte[]> other = new LinkedHashMap<>(FILES);
		other.put("weights.safetensors", new byte[] {9});
		assertFalse(first.equals(DefaultModelCache.extract(tmp, other)), "another build, another folder");
	}

	@Test
	void aDamagedOrIncompleteCopyIsReplaced() throws Exception {
		Path dir = DefaultModelCache.extract(tmp, FILES);
		Files.write(dir.resolve("weights.safetensors"), new byte[] {1, 2, 3, 4, 6});
		assertEquals(dir, DefaultModelCache.extract(tmp, FILES));
		assertArrayEquals(FILES.get("weights.safetensors"), Files.readAllBytes(dir.resolve("weights.safetensors")));
		Files.delete(dir.resolve("model.json"));
		assertEquals(dir, DefaultModelCache.extract(tmp, FILES));
		assertTrue(DefaultModelCache.holds(dir, FILES));
		assertEquals(List.of(dir.getFileName().toString()), names(tmp.resolve("models")));
	}

	@Test
	void partialFoldersOfKilledRunsAreRemovedOnceStale() throws Exception {
		Path models = Files.createDirectories(tmp.resolve("models"));
		Path stale = Files.createDirectories(models.resolve(".default-0123456789abcdef.partial-1"));
		Files.write(stale.resolve("weights.safetensors"), new byte[2_000]);
		Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
		Path live = Files.createDirectories(models.resolve(".default-0123456789abcdef.partial-2"));
		Path dir = DefaultModelCache.extract(tmp, FILES);
		assertEquals(List.of(live.getFileName().toString(), dir.getFileName().toString()), names(models),
			"a recent partial folder may be another JVM's extraction in progress: kept");
	}

	@Test
	void concurrentExtractionsAgreeOnOneCompleteFolder() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<Path>> results = new ArrayList<>();
			Callable<Path> extract = () -> DefaultModelCache.extract(tmp, FILES);
			for (int i = 0; i < 8; i++)
				results.add(pool.submit(extract));
			for (Future<Path> f : results)
				assertTrue(DefaultModelCache.holds(f.get(), FILES), f.get().toString());
			assertEquals(1, results.stream().map(f -> {
				try {
					return f.get();
				} catch (Exception e) {
					throw new IllegalStateException(e);
				}
			}).distinct().count());
		} finally {
			pool.shutdown();
		}
		assertEquals(1, names(tmp.resolve("models")).size(), names(tmp.resolve("models")).toString());
	}

	@Test
	void anUnwritableCacheFallsBackToATemporaryFolder() throws Exception {
		Path notAFolder = Files.writeString(tmp.resolve("file"), "x");
		Path dir = DefaultModelCache.extract(notAFolder, FILES);
		try {
			assertTrue(dir.getFileName().toString().startsWith("fiji-derain-default-model"), dir.toString());
			assertTrue(DefaultModelCache.holds(dir, FILES));
		} finally {
			for (String name : FILES.keySet())
				Files.deleteIfExists(dir.resolve(name));
			Files.deleteIfExists(dir);
		}
	}

	/** Before, every run made a new /tmp/fiji-derain-default-model* folder (left behind empty, or full if killed). */
	@Test
	void theShippedDefaultModelResolvesIntoTheCache() throws Exception {
		Path root = ModelCatalog.cacheRoot();
		assertTrue(root.startsWith(Path.of("target").toAbsolutePath()) || root.toString().contains("test-cache"),
			"tests must not use the user's cache: " + root);
		Path model = ModelCatalog.resolve(ModelCatalog.DEFAULT);
		assertTrue(model.startsWith(root.resolve("models")), model.toString());
		assertTrue(model.getFileName().toString().matches("default-[0-9a-f]{16}"), model.toString());
		assertEquals(model, ModelCatalog.resolve(ModelCatalog.DEFAULT));
		assertEquals("default", ModelFolder.readDescriptor(model).name());
	}
}
