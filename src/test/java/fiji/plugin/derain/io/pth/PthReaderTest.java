package fiji.plugin.derain.io.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import fiji.plugin.derain.testutil.Fixtures;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads the torch.save fixtures of {@code tools/make_pth_fixtures.py} and compares every tensor with the
 * values PyTorch wrote to {@code expected.safetensors} (named {@code <fixture>/<tensor>@<dtype>}).
 */
class PthReaderTest {
	/** What the malicious fixtures' payloads would create if anything ran them. */
	private static final Path MARKER = Paths.get("/tmp/fiji-derain-pth-marker");

	private static NDManager manager;
	private static Map<String, NDArray> expected;
	/** True shapes: the safetensors shape of a 0-d tensor is [1], so the generator also writes them here. */
	private static JsonObject expectedShapes;

	@BeforeAll
	static void loadExpected() throws IOException {
		manager = NDManager.newBaseManager();
		expected = Fixtures.load(manager, "pth/expected.safetensors");
		expectedShapes = JsonParser.parseString(safetensorsMetadata(Fixtures.path("pth/expected.safetensors"))
			.get("shapes").getAsString()).getAsJsonObject();
	}

	/** The {@code __metadata__} of a safetensors file: an 8-byte little-endian header length, then JSON. */
	private static JsonObject safetensorsMetadata(Path file) throws IOException {
		byte[] bytes = Files.readAllBytes(file);
		int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
		String header = new String(bytes, 8, length, StandardCharsets.UTF_8);
		return JsonParser.parseString(header).getAsJsonObject().getAsJsonObject("__metadata__");
	}

	private static long[] expectedShape(String key) {
		JsonArray dims = expectedShapes.getAsJsonArray(key);
		long[] shape = new long[dims.size()];
		for (int i = 0; i < shape.length; i++)
			shape[i] = dims.get(i).getAsLong();
		return shape;
	}

	@AfterAll
	static void close() {
		manager.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "state_dict", "wrapped", "module_prefixed", "resnet_prefixed", "dtypes", "shared",
		"parameters" })
	void readsEveryTensorExactly(String fixture) throws IOException {
		Path file = Fixtures.path("pth/" + fixture + ".pth");
		LinkedHashMap<String, RawTensor> tensors = StateDicts.extract(PthReader.read(file), file);

		List<String> names = new ArrayList<>();
		for (Map.Entry<String, NDArray> e : expected.entrySet()) {
			String key = e.getKey();
			if (!key.startsWith(fixture + "/")) continue;
			String name = key.substring(fixture.length() + 1, key.lastIndexOf('@'));
			String dtype = key.substring(key.lastIndexOf('@') + 1);
			names.add(name);
			RawTensor t = tensors.get(name);
			assertTrue(t != null, fixture + " lacks " + name + "; has " + tensors.keySet());
			assertEquals(dtype, t.dtype(), name);
			NDArray want = e.getValue();
			assertArrayEquals(expectedShape(key), t.shape(), name);
			assertEquals(want.size(), t.numel(), name);
			if (want.getDataType() == DataType.INT64) {
				assertArrayEquals(want.toLongArray(), t.toLongs(), name);
				float[] asFloats = new float[(int) t.numel()];
				long[] longs = want.toLongArray();
				for (int i = 0; i < longs.length; i++)
					asFloats[i] = longs[i];
				assertArrayEquals(asFloats, t.toFloats(), name);
			} else {
				assertArrayEquals(want.toFloatArray(), t.toFloats(), name);
			}
		}
		assertFalse(names.isEmpty(), "no expected tensors for " + fixture);
		assertEquals(names.size(), tensors.size(), "tensor count of " + fixture + ": " + tensors.keySet());
	}

	@Test
	void keepsStateDictOrderAndBatchNormBuffers() throws IOException {
		Path file = Fixtures.path("pth/state_dict.pth");
		LinkedHashMap<String, RawTensor> tensors = StateDicts.extract(PthReader.read(file), file);
		assertEquals(List.of("conv.1.weight", "conv.2.weight", "conv.2.bias", "conv.2.running_mean",
			"conv.2.running_var", "conv.2.num_batches_tracked", "out.weight", "out.bias"),
			new ArrayList<>(tensors.keySet()));
		RawTensor batches = tensors.get("conv.2.num_batches_tracked");
		assertEquals("int64", batches.dtype());
		assertArrayEquals(new long[0], batches.shape());
		assertArrayEquals(new long[] { 3 }, batches.toLongs(), "the generator ran 3 training batches");
	}

	@Test
	void viewsKeepTheirStridesAndOffsets() throws IOException {
		Path file = Fixtures.path("pth/dtypes.pth");
		Map<?, ?> root = (Map<?, ?>) PthReader.read(file);
		RawTensor transposed = (RawTensor) root.get("transposed");
		assertArrayEquals(new long[] { 5, 3 }, transposed.shape());
		assertArrayEquals(new long[] { 1, 5 }, transposed.stride());
		assertFalse(transposed.isContiguous());
		RawTensor everyOther = (RawTensor) root.get("every_other");
		assertEquals(5, everyOther.storageOffset());
		assertArrayEquals(new long[] { 5, 2 }, everyOther.stride());
		RawTensor channelsLast = (RawTensor) root.get("channels_last");
		assertArrayEquals(new long[] { 24, 1, 12, 3 }, channelsLast.stride());
		assertTrue(((RawTensor) root.get("double")).isFloatingPoint());
		assertThrows(IllegalStateException.class, () -> ((RawTensor) root.get("half")).toLongs());
	}

	@Test
	void viewsOfOneStorageShareIt() throws IOException {
		Map<?, ?> root = (Map<?, ?>) PthReader.read(Fixtures.path("pth/shared.pth"));
		RawTensor a = (RawTensor) root.get("a");
		RawTensor b = (RawTensor) root.get("b");
		assertEquals(a.storageKey(), b.storageKey());
		assertEquals(4, a.storageOffset());
		assertEquals(8, b.storageOffset());
		assertArrayEquals(new long[] { 6, 1 }, b.stride());
		// storage = arange(24) * 0.5 - 3, so element i is i/2 - 3
		assertArrayEquals(new float[] { -1, -0.5f, 0, 0.5f, 1, 1.5f }, a.toFloats());
	}

	@ParameterizedTest
	@CsvSource({ "evil_os_system, posix.system", "evil_builtins_eval, __builtin__.eval",
		"evil_stack_global, builtins.exec", "evil_nested, posix.system", "evil_user_class, __main__.UserClass",
		"evil_load_from_bytes, torch.storage._load_from_bytes" })
	void refusesGlobalsOutsideTheAllowList(String fixture, String global) throws IOException {
		Files.deleteIfExists(MARKER);
		Path file = Fixtures.path("pth/" + fixture + ".pth");
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertEquals(file + " asks to run " + global + ", which a weights file never needs; refusing to load it"
			+ " (no code was run)", e.getMessage());
		assertFalse(Files.exists(MARKER), "a payload ran: " + MARKER + " exists");
	}

	@Test
	void truncatedStorageNamesKeyAndSizes() {
		Path file = Fixtures.path("pth/truncated.pth");
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		// conv.1.weight is 4×3×3×3 float32 = 432 bytes; the generator kept 100
		assertEquals(file + ": storage data/0 is truncated: needs 432 bytes, file has 100", e.getMessage());
	}

	@Test
	void nonZipSaysWhatToDo() {
		Path file = Fixtures.path("pth/not_a_zip.pth");
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertEquals(file + " is not a PyTorch zip checkpoint; if it was saved by torch < 1.6 re-save it with"
			+ " torch.save(obj, path) in a recent PyTorch", e.getMessage());
	}

	@Test
	void legacyFormatIsRecognised() {
		Path file = Fixtures.path("pth/legacy.pth");
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertTrue(e.getMessage().startsWith(file + " is a legacy PyTorch checkpoint (saved by torch < 1.6"),
			e.getMessage());
		assertTrue(e.getMessage().endsWith("re-save it with torch.save(obj, path) in a recent PyTorch"), e.getMessage());
	}

	@Test
	void entryNamesThatEscapeAreRefused() {
		Path file = Fixtures.path("pth/escaping_entry.pth");
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertEquals(file + " has an entry named 'archive/data/../../../escaped.txt' that points outside the archive;"
			+ " refusing to read it", e.getMessage());
		assertFalse(Files.exists(file.getParent().getParent().resolve("escaped.txt")));
	}

	@Test
	void emptyFileIsNotACheckpoint(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
		Path file = Files.write(dir.resolve("empty.pth"), new byte[0]);
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertTrue(e.getMessage().startsWith(file + " is not a PyTorch zip checkpoint"), e.getMessage());
	}

	@Test
	void missingFileIsNamed(@org.junit.jupiter.api.io.TempDir Path dir) {
		Path file = dir.resolve("missing.pth");
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertEquals(file + " does not exist or is not a file", e.getMessage());
	}

	@Test
	void zipWithoutPickleIsNotACheckpoint(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
		Path file = dir.resolve("other.zip");
		try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
			zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
			zip.write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		}
		CheckpointException e = assertThrows(CheckpointException.class, () -> PthReader.read(file));
		assertEquals(file + " is a zip file but not a PyTorch checkpoint: expected one <folder>/data.pkl entry,"
			+ " found 0", e.getMessage());
	}
}
