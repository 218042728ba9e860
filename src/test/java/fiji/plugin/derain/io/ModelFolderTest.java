package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.StateDictLayout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {
	static final DerainConfig SMALL = new DerainConfig(4, 2, DerainConfig.Activation.MISH, DerainConfig.Norm.BATCH,
		DerainConfig.Init.KAIMING);

	@TempDir
	Path tmp;

	/** Seeded random tensors with the layout's names and shapes. */
	static Map<String, NDArray> randomWeights(NDManager m, DerainConfig config) {
		m.getEngine().setRandomSeed(7);
		Map<String, NDArray> w = new LinkedHashMap<>();
		StateDictLayout.of(config).forEach((k, s) -> w.put(k, k.endsWith("num_batches_tracked")
			? m.create(123L) : m.randomNormal(new Shape(s))));
		return w;
	}

	static ModelDescriptor descriptor() {
		return ModelDescriptor.of("test", "a test model", SMALL, Map.of("source", "unit test"))
			.withMetrics(Map.of("val_psnr", 27.5));
	}

	@Test
	void saveAndLoadRoundTripExactly() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> w = randomWeights(m, SMALL);
			ModelDescriptor saved = ModelFolder.save(tmp.resolve("model"), descriptor(), w, false);
			ModelFolder.Loaded l = ModelFolder.load(tmp.resolve("model"), m);
			assertEquals(descriptor().withWeightsSha256(Digests.sha256(tmp.resolve("model/weights.safetensors"))), saved);
			assertEquals(saved, l.descriptor());
			assertEquals(w.keySet(), l.weights().keySet());
			for (String k : w.keySet()) {
				NDArray a = w.get(k), b = l.weights().get(k);
				assertEquals(a.getShape(), b.getShape(), k);
				assertEquals(a.getDataType(), b.getDataType(), k);
				if (a.getDataType() == DataType.INT64) assertArrayEquals(a.toLongArray(), b.toLongArray(), k);
				else assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f, k); // bit-exact
			}
		}
	}

	@Test
	void neverOverwritesUnlessAsked() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> w = randomWeights(m, SMALL);
			ModelFolder.save(tmp, descriptor(), w, false);
			assertThrows(FileAlreadyExistsException.class, () -> ModelFolder.save(tmp, descriptor(), w, false));
			ModelFolder.save(tmp, descriptor(), w, true);
			try (var files = Files.list(tmp)) {
				assertEquals(2, files.count(), "only model.json and the weights, no temp files left");
			}
		}
	}

	@Test
	void weightsPathMayNotLeaveTheFolder() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			ModelFolder.save(tmp, descriptor(), randomWeights(m, SMALL), false);
			Path json = tmp.resolve(ModelFolder.DESCRIPTOR);
			String s = Files.readString(json).replace("\"weights.safetensors\"", "\"../../etc/passwd\"");
			Files.writeString(json, s, StandardCharsets.UTF_8);
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.load(tmp, m));
			assertTrue(e.getMessage().contains("outside the model folder"), e.getMessage());
		}
	}

	@Test
	void missingAndMisshapenTensorsAreNamed() {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> w = randomWeights(m, SMALL);
			w.remove("output_conv_naive.1.bias");
			w.put("bogus.weight", m.zeros(new Shape(1)));
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> ModelFolder.save(tmp, descriptor(), w, false));
			assertTrue(e.getMessage().contains("1 missing [output_conv_naive.1.bias]"), e.getMessage());
			assertTrue(e.getMessage().contains("1 unexpected [bogus.weight]"), e.getMessage());
			w.remove("bogus.weight");
			w.put("output_conv_naive.1.bias", m.zeros(new Shape(4)));
			e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.save(tmp, descriptor(), w, false));
			assertTrue(e.getMessage().contains("output_conv_naive.1.bias has shape (4) but the network needs (3)"),
				e.getMessage());
		}
	}

	@Test
	void damagedWeightsFailTheirRecordedSha256() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			ModelFolder.save(tmp, descriptor(), randomWeights(m, SMALL), false);
			Path weights = tmp.resolve("weights.safetensors");
			byte[] bytes = Files.readAllBytes(weights);
			bytes[bytes.length - 10] ^= 0x04; // a float's low bits: still a valid file, slightly other weights
			Files.write(weights, bytes);
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.load(tmp, m));
			assertTrue(e.getMessage().startsWith(weights.toAbsolutePath().normalize() + " is damaged: its SHA-256 is "),
				e.getMessage());
			assertTrue(e.getMessage().endsWith("copy the model folder again (or re-import / re-train it)"), e.getMessage());
		}
	}

	@Test
	void modelsWithoutARecordedSha256StillLoad() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			ModelFolder.save(tmp, descriptor(), randomWeights(m, SMALL), false);
			Path json = tmp.resolve(ModelFolder.DESCRIPTOR);
			Files.writeString(json, Files.readString(json).replaceAll("\\s*\"weights_sha256\": \"[0-9a-f]+\",", ""));
			assertEquals(descriptor(), ModelFolder.load(tmp, m).descriptor());
		}
	}

	@Test
	void weightsHoldingNaNAreRefusedAtSaveAndAtLoad() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> w = randomWeights(m, SMALL);
			w.get("upsample_1.conv.conv.1.weight").set(new NDIndex("0, 0, 1, 1"), Float.NaN);
			w.get("upsample_1.conv.conv.1.weight").set(new NDIndex("0, 1, 1, 1"), Float.NEGATIVE_INFINITY);
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> ModelFolder.save(tmp, descriptor(), w, false));
			assertEquals("the weights to save: tensor 'upsample_1.conv.conv.1.weight' holds 2 NaN/Inf values; the"
				+ " checkpoint is damaged or the training diverged", e.getMessage());
			// a file written by another tool: no hash recorded, NaN inside
			NDList list = new NDList();
			w.forEach((k, v) -> {
				v.setName(k);
				list.add(v);
			});
			try (var out = Files.newOutputStream(tmp.resolve("weights.safetensors"))) {
				list.encode(out, NDList.Encoding.SAFETENSORS);
			}
			Files.writeString(tmp.resolve(ModelFolder.DESCRIPTOR), descriptor().toJson());
			e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.load(tmp, m));
			assertEquals(tmp.resolve("weights.safetensors").toAbsolutePath().normalize()
				+ ": tensor 'upsample_1.conv.conv.1.weight' holds 2 NaN/Inf values; the checkpoint is damaged or the"
				+ " training diverged", e.getMessage());
		}
	}

	@Test
	void descriptorErrorsNameTheFileAndField() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> ModelDescriptor.parse("{\"format\":\"fiji-derain-model\",\"format_version\":1}", "x/model.json"));
		assertEquals("x/model.json: missing or non-object field \"architecture\"", e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> ModelDescriptor.parse("{", "y.json"));
		assertTrue(e.getMessage().startsWith("y.json is not valid JSON"), e.getMessage());
	}
}
