package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.testutil.Fixtures;
import fiji.plugin.derain.testutil.ZipBytes;

import ai.djl.ndarray.NDManager;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile model files, deterministically mutated: a GT-RAIN {@code .pth} checkpoint (truncations, byte
 * flips, forged zip sizes and offsets, pickle bytes changed with a valid CRC, NaN weights), a model folder's
 * {@code weights.safetensors} (truncations, flips, forged header lengths, header mutations, dtype and shape
 * mismatches, NaN) and its {@code model.json} (missing fields, wrong types, unknown values, absurd sizes, paths out
 * of the folder). Each case must load correctly or fail with one line naming the file: an {@link IOException} or
 * {@link IllegalArgumentException} whose {@link UserMessages#describe} has no line break, no exception or class
 * name. Anything else (another exception, a hang, a crash, a file written outside the case's folder) fails.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ModelFuzzTest {
	@TempDir
	static Path tmp;

	private static NDManager manager;
	private static byte[] pth, weights;
	private static String json;
	/** The data section's start in {@link #weights}. */
	private static int dataStart;

	/** How many cases loaded and how many failed with a clean line. */
	private int loaded, refused;

	private static final Pattern CLASS_NAME = Pattern.compile(
		"Exception|Error:|\tat |\\b(java|javax|ai\\.djl|com\\.google|fiji\\.plugin)\\.[a-z]");

	@BeforeAll
	static void fixtures() throws Exception {
		manager = NDManager.newBaseManager();
		pth = Files.readAllBytes(Fixtures.path("import/gtrain_small_official.pth"));
		Path model = tmp.resolve("model");
		ModelFolder.save(model, ModelFolderTest.descriptor(), ModelFolderTest.randomWeights(manager, ModelFolderTest.SMALL),
			false);
		weights = Files.readAllBytes(model.resolve("weights.safetensors"));
		// without the hash, so that mutated weights reach the safetensors checks (old model folders have none)
		json = dropHash(Files.readString(model.resolve(ModelFolder.DESCRIPTOR)));
		dataStart = 8 + (int) ByteBuffer.wrap(weights, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
	}

	@AfterAll
	static void close() {
		manager.close();
	}

	private static String dropHash(String descriptor) {
		JsonObject o = JsonParser.parseString(descriptor).getAsJsonObject();
		o.remove("weights_sha256");
		return o.toString();
	}

	// ---- .pth checkpoints -------------------------------------------------------------------------------------

	@Test
	void truncatedCheckpoints() throws Exception {
		for (int k = 0; k < 24; k++)
			checkpoint("truncated-" + k, java.util.Arrays.copyOf(pth, (int) ((long) pth.length * k / 24)), false);
		for (int cut : new int[] {pth.length - 1, pth.length - 22, pth.length - 100, 4, 30})
			checkpoint("truncated-at-" + cut, java.util.Arrays.copyOf(pth, cut), false);
		assertEquals(0, loaded, "a truncated checkpoint never imports");
	}

	@Test
	void checkpointsWithFlippedBytes() throws Exception {
		Random r = new Random(12);
		for (int k = 0; k < 80; k++) {
			byte[] b = pth.clone();
			int at = r.nextInt(b.length);
			b[at] ^= (byte) (1 + r.nextInt(255));
			checkpoint("flipped-" + at, b, true);
		}
		assertTrue(refused >= 60, "damaged bytes in the data or the pickle are refused (CRC-32): " + refused + " of 80");
	}

	/** The pickle changed byte by byte with its CRC-32 fixed: what a hostile (not a damaged) file can do. */
	@Test
	void checkpointsWithAForgedPickle() throws Exception {
		ZipBytes.Entry pickle = ZipBytes.entry(pth, "/data.pkl");
		int size = ZipBytes.entries(pth).get(1).header() - pickle.data() - 16; // up to its data descriptor
		Random r = new Random(34);
		for (int k = 0; k < 120; k++) {
			byte[] b = pth.clone();
			int at = r.nextInt(size);
			ZipBytes.patch(b, "/data.pkl", at, new byte[] {(byte) r.nextInt(256)});
			checkpoint("pickle-" + at, b, true);
		}
		String text = new String(pth, pickle.data(), size, StandardCharsets.ISO_8859_1);
		for (String[] swap : new String[][] {{"FloatStorage", "ShortStorage"}, {"LongStorage", "HalfStorage"}}) {
			byte[] b = pth.clone();
			for (int at = text.indexOf(swap[0]); at >= 0; at = text.indexOf(swap[0], at + 1))
				ZipBytes.patch(b, "/data.pkl", at, swap[1].getBytes(StandardCharsets.US_ASCII));
			assertTrue(checkpoint("dtype-" + swap[1], b, false).contains(" where GT-RAIN has "));
		}
	}

	@Test
	void checkpointsWithForgedZipSizesAndOffsets() throws Exception {
		long[] values = {0, 1, 7, 0x7fffffffL, 0xffffffffL, 0x80000000L};
		for (String entry : new String[] {"/data.pkl", "/data/0", "/version"}) {
			int h = centralHeader(pth, entry);
			for (int field : new int[] {20, 24, 42}) // compressed size, size, local header offset
				for (long v : values) {
					byte[] b = pth.clone();
					put32(b, h + field, v);
					checkpoint("central-" + field + "-" + v + entry.replace('/', '_'), b, true);
				}
			byte[] b = pth.clone();
			put16(b, h + 28, 0xffff); // name length
			checkpoint("name-length" + entry.replace('/', '_'), b, false);
		}
		int eocd = lastIndexOf(pth, 0x06054b50);
		for (int field : new int[] {8, 10, 12, 16}) // entries here, entries, directory size, directory offset
			for (long v : values) {
				byte[] b = pth.clone();
				if (field <= 10) put16(b, eocd + field, (int) v & 0xffff);
				else put32(b, eocd + field, v);
				checkpoint("eocd-" + field + "-" + v, b, true);
			}
	}

	@Test
	void checkpointWithNaNWeights() throws Exception {
		byte[] b = pth.clone();
		ZipBytes.patch(b, "/data/0", 0, ZipBytes.float32(Float.NaN));
		String line = checkpoint("nan", b, false);
		assertTrue(line.contains("tensor 'initial_conv.0.conv.1.weight' holds 1 NaN/Inf value"), line);
	}

	// ---- safetensors weights ----------------------------------------------------------------------------------

	@Test
	void truncatedWeights() throws Exception {
		for (int k = 0; k < 24; k++)
			model("truncated-" + k, json, java.util.Arrays.copyOf(weights, (int) ((long) weights.length * k / 24)));
		for (int cut : new int[] {weights.length - 1, dataStart, dataStart - 1, 9, 8, 7, 0})
			model("truncated-at-" + cut, json, java.util.Arrays.copyOf(weights, cut));
		assertEquals(0, loaded, "truncated weights never load");
	}

	@Test
	void weightsWithFlippedBytes() throws Exception {
		Random r = new Random(56);
		for (int k = 0; k < 80; k++) {
			byte[] b = weights.clone();
			int at = k < 40 ? r.nextInt(dataStart) : r.nextInt(b.length); // half of them in the header
			b[at] ^= (byte) (1 + r.nextInt(255));
			model("flipped-" + at, json, b);
		}
		assertTrue(loaded > 0 && refused > 0, loaded + " loaded, " + refused + " refused");
	}

	@Test
	void weightsWithAForgedHeaderLength() throws Exception {
		for (long v : new long[] {-1, Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, 2, 7, dataStart - 9, dataStart - 7,
			weights.length, weights.length - 8, 1L << 31, (1L << 31) - 1, 1L << 62}) {
			byte[] b = weights.clone();
			ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
			model("length-" + v, json, b);
		}
		assertEquals(0, loaded);
	}

	@Test
	void weightsWithAMutatedHeader() throws Exception {
		JsonObject header = header(weights);
		String first = header.keySet().stream().filter(k -> !k.equals("__metadata__")).findFirst().orElseThrow();
		List<Consumer<JsonObject>> mutations = List.of(
			h -> tensor(h, first).addProperty("dtype", "F16"),
			h -> tensor(h, first).addProperty("dtype", "I64"),
			h -> tensor(h, first).addProperty("dtype", "XYZ"),
			h -> tensor(h, first).add("dtype", new JsonArray()),
			h -> tensor(h, first).remove("dtype"),
			h -> tensor(h, first).add("shape", numbers(-1, 3, 7, 7)),
			h -> tensor(h, first).add("shape", numbers(1L << 40, 1L << 40)),
			h -> tensor(h, first).add("shape", numbers(2, 3)),
			h -> tensor(h, first).add("shape", new JsonPrimitive("big")),
			h -> tensor(h, first).add("shape", numbers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
			h -> tensor(h, first).add("data_offsets", numbers(-4, 100)),
			h -> tensor(h, first).add("data_offsets", numbers(0, 1L << 40)),
			h -> tensor(h, first).add("data_offsets", numbers(100, 0)),
			h -> tensor(h, first).add("data_offsets", numbers(0)),
			h -> tensor(h, first).add("data_offsets", new JsonArray()),
			h -> tensor(h, first).getAsJsonArray("data_offsets").set(1, new JsonPrimitive(1.5)),
			h -> tensor(h, first).getAsJsonArray("data_offsets").set(1, new JsonPrimitive("1e99")),
			h -> h.remove(first),
			h -> h.add("extra.weight", h.get(first)),
			h -> h.add(first, new JsonPrimitive(3)),
			h -> h.add("__metadata__", new JsonPrimitive("x")));
		for (int i = 0; i < mutations.size(); i++) {
			JsonObject h = header.deepCopy();
			mutations.get(i).accept(h);
			model("header-" + i, json, withHeader(h.toString()));
		}
		for (String raw : new String[] {"", "[]", "{", "null", "{\"a\": ", " ".repeat(64), "{}"})
			model("header-text-" + raw.length(), json, withHeader(raw));
		assertEquals(0, loaded);
	}

	@Test
	void weightsHoldingNaN() throws Exception {
		byte[] b = weights.clone();
		System.arraycopy(ZipBytes.float32(Float.NaN), 0, b, dataStart + 4, 4);
		String line = model("nan", json, b);
		assertTrue(line.contains("holds 1 NaN/Inf value"), line);
	}

	@Test
	void weightsNotMatchingTheirRecordedHash() throws Exception {
		String hashed = Files.readString(tmp.resolve("model").resolve(ModelFolder.DESCRIPTOR));
		byte[] b = weights.clone();
		b[b.length - 3] ^= 1;
		assertTrue(model("hash", hashed, b).contains("is damaged: its SHA-256 is"));
	}

	// ---- model.json -------------------------------------------------------------------------------------------

	@Test
	void descriptorVariants() throws Exception {
		JsonObject base = JsonParser.parseString(json).getAsJsonObject();
		List<JsonObject> variants = new ArrayList<>();
		for (String field : base.keySet()) {
			JsonObject o = base.deepCopy();
			o.remove(field);
			variants.add(o);
		}
		for (String field : base.getAsJsonObject("architecture").keySet())
			for (JsonElement value : new JsonElement[] {null, new JsonPrimitive("abc"), new JsonPrimitive(1.5),
				new JsonArray(), new JsonObject(), new JsonPrimitive(true), new JsonPrimitive(-1), new JsonPrimitive(0),
				new JsonPrimitive(1e9), new JsonPrimitive(2147483648L), new JsonPrimitive(1e300), new JsonPrimitive(1000000)}) {
				JsonObject o = base.deepCopy();
				if (value == null) o.getAsJsonObject("architecture").remove(field);
				else o.getAsJsonObject("architecture").add(field, value);
				variants.add(o);
			}
		for (String weightsName : new String[] {"../x", "../../etc/passwd", "/etc/passwd", "", ".", "./",
			"sub/../../x", "weights.safetensors/../../model/weights.safetensors", "missing.safetensors",
			tmp.resolve("model/weights.safetensors").toString(), "model.json", "\u0000", "a\\..\\..\\x"}) {
			JsonObject o = base.deepCopy();
			o.addProperty("weights", weightsName);
			variants.add(o);
		}
		for (JsonElement value : new JsonElement[] {new JsonPrimitive("zz"), new JsonPrimitive("AB".repeat(32)),
			new JsonPrimitive("0".repeat(64)), new JsonArray()}) {
			JsonObject o = base.deepCopy();
			o.add("weights_sha256", value);
			variants.add(o);
		}
		for (String[] kv : new String[][] {{"format_version", "99"}, {"format_version", "-1"}, {"format_version", "\"1\""},
			{"format", "\"other\""}, {"provenance", "\"x\""}, {"metrics", "{\"psnr\": \"high\"}"}, {"metrics", "[]"},
			{"training", "3"}, {"architecture", "[]"}, {"name", "{}"}}) {
			JsonObject o = base.deepCopy();
			o.add(kv[0], JsonParser.parseString(kv[1]));
			variants.add(o);
		}
		for (int i = 0; i < variants.size(); i++)
			model("json-" + i, variants.get(i).toString(), weights);
		for (String raw : new String[] {"", "null", "[]", "{", "{\"format\": ", "\"text\"", "[".repeat(5000),
			"{\"format\": \"fiji-derain-model\", \"format_version\": 1e400}"})
			model("json-text-" + raw.length(), raw, weights);
		assertTrue(loaded > 0, "unknown or free-form fields do not stop a model from loading");
		assertTrue(refused > 40, refused + " refused");
	}

	// ---- how one case runs ------------------------------------------------------------------------------------

	private static final java.util.concurrent.atomic.AtomicInteger CASES = new java.util.concurrent.atomic.AtomicInteger();

	/** Imports a mutated checkpoint into its own folder; returns the line of a refusal ("" if it imported). */
	private String checkpoint(String label, byte[] bytes, boolean mayLoad) throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("pth-" + CASES.getAndIncrement())), file = dir.resolve("checkpoint.pth");
		Files.write(file, bytes);
		String line = outcome(label, file, () -> GtrainImport.importTo(file, DerainConfig.Activation.LEAKY,
			dir.resolve("out"), false));
		if (!mayLoad && line.isEmpty()) fail(label + " imported");
		assertOnlyInside(dir, file, dir.resolve("out"));
		return line;
	}

	/** Loads a model folder of the given model.json and weights; returns the line of a refusal ("" if it loaded). */
	private String model(String label, String descriptor, byte[] weightBytes) throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("st-" + CASES.getAndIncrement()));
		Files.writeString(dir.resolve(ModelFolder.DESCRIPTOR), descriptor);
		Files.write(dir.resolve("weights.safetensors"), weightBytes);
		String line = outcome(label, dir, () -> {
			try (NDManager m = manager.newSubManager()) {
				ModelFolder.load(dir, m);
			}
			return null;
		});
		assertOnlyInside(dir, dir.resolve(ModelFolder.DESCRIPTOR), dir.resolve("weights.safetensors"));
		return line;
	}

	/** Runs a load: "" when it worked, else the one line, checked. */
	private String outcome(String label, Path named, java.util.concurrent.Callable<?> load) {
		try {
			load.call();
			loaded++;
			return "";
		} catch (IOException | IllegalArgumentException e) {
			String line = UserMessages.describe(e);
			assertFalse(line.chars().anyMatch(Character::isISOControl), label + ": control characters: " + line);
			assertFalse(CLASS_NAME.matcher(line).find(), label + ": names a class or exception: " + line);
			assertTrue(line.contains(named.getFileName().toString()) || line.contains(named.getParent().getFileName()
				.toString()), label + ": does not name the file: " + line);
			refused++;
			return line;
		} catch (Throwable t) {
			throw new AssertionError(label + ": failed with " + t, t);
		}
	}

	/** Nothing but {@code allowed} (files, or folders with their contents) exists in {@code dir}. */
	private static void assertOnlyInside(Path dir, Path... allowed) throws IOException {
		try (Stream<Path> s = Files.walk(dir)) {
			s.filter(p -> !p.equals(dir)).forEach(p -> {
				for (Path a : allowed)
					if (p.startsWith(a)) return;
				fail("a file was written outside the output folder: " + p);
			});
		}
		try (Stream<Path> s = Files.list(tmp)) {
			s.forEach(p -> assertTrue(p.getFileName().toString().matches("model|pth-\\d+|st-\\d+"),
				"written outside the case folders: " + p));
		}
	}

	// ---- byte helpers -----------------------------------------------------------------------------------------

	private static JsonObject header(byte[] st) {
		int length = (int) ByteBuffer.wrap(st, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
		return JsonParser.parseString(new String(st, 8, length, StandardCharsets.UTF_8)).getAsJsonObject();
	}

	private static JsonObject tensor(JsonObject header, String name) {
		return header.getAsJsonObject(name);
	}

	private static JsonArray numbers(long... values) {
		JsonArray a = new JsonArray();
		for (long v : values)
			a.add(v);
		return a;
	}

	/** {@link #weights} with another header (its length field set to match) and the same data section. */
	private static byte[] withHeader(String header) {
		byte[] h = header.getBytes(StandardCharsets.UTF_8);
		ByteBuffer b = ByteBuffer.allocate(8 + h.length + weights.length - dataStart).order(ByteOrder.LITTLE_ENDIAN);
		b.putLong(h.length).put(h).put(weights, dataStart, weights.length - dataStart);
		return b.array();
	}

	private static int centralHeader(byte[] zip, String suffix) {
		for (int i = zip.length - 46; i >= 0; i--)
			if (u32(zip, i) == 0x02014b50L) {
				int n = (zip[i + 28] & 0xff) | (zip[i + 29] & 0xff) << 8;
				if (new String(zip, i + 46, n, StandardCharsets.UTF_8).endsWith(suffix)) return i;
			}
		throw new IllegalArgumentException("no central directory entry *" + suffix);
	}

	private static int lastIndexOf(byte[] b, long signature) {
		for (int i = b.length - 4; i >= 0; i--)
			if (u32(b, i) == signature) return i;
		throw new IllegalArgumentException("no signature " + Long.toHexString(signature));
	}

	private static long u32(byte[] b, int i) {
		return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
	}

	private static void put32(byte[] b, int i, long v) {
		for (int k = 0; k < 4; k++)
			b[i + k] = (byte) (v >> (8 * k));
	}

	private static void put16(byte[] b, int i, int v) {
		b[i] = (byte) v;
		b[i + 1] = (byte) (v >> 8);
	}
}
