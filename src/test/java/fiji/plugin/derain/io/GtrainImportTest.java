package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.pth.CheckpointException;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.testutil.Fixtures;
import fiji.plugin.derain.testutil.ZipBytes;

import ai.djl.ndarray.NDManager;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import of checkpoints written by torch.save (tools/make_import_fixtures.py). */
class GtrainImportTest {
	@TempDir
	Path tmp;

	@Test
	void officialBareAndDataParallelCheckpointsImportToTheSameTensors() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			GtrainImport.Imported official = read(m, "gtrain_small_official.pth", DerainConfig.Activation.LEAKY);
			assertEquals(new DerainConfig(4, 2, DerainConfig.Activation.LEAKY, DerainConfig.Norm.BATCH,
				DerainConfig.Init.NORMAL), official.config());
			for (String other : new String[] {"gtrain_small_bare.pth", "gtrain_small_module.pth"}) {
				GtrainImport.Imported o = read(m, other, DerainConfig.Activation.LEAKY);
				assertEquals(official.weights().keySet(), o.weights().keySet(), other);
				for (String k : official.weights().keySet())
					assertTrue(official.weights().get(k).contentEquals(o.weights().get(k)), other + " " + k);
			}
		}
	}

	@Test
	void instanceNormIsInferredAndActivationIsTheCallers() throws Exception {
		try (NDManager m = NDManager.newBaseManager()) {
			GtrainImport.Imported i = read(m, "gtrain_small_mish_instance.pth", DerainConfig.Activation.MISH);
			assertEquals(new DerainConfig(4, 1, DerainConfig.Activation.MISH, DerainConfig.Norm.INSTANCE,
				DerainConfig.Init.NORMAL), i.config());
		}
	}

	@Test
	void importWritesAModelFolderWithProvenance() throws Exception {
		Path out = tmp.resolve("model");
		ModelDescriptor d = GtrainImport.importTo(Fixtures.path("import/gtrain_small_official.pth"),
			DerainConfig.Activation.LEAKY, out, false);
		assertEquals("gtrain_small_official.pth", d.provenance().get("imported_from"));
		assertEquals(64, d.provenance().get("imported_sha256").length());
		assertEquals(d, ModelFolder.readDescriptor(out));
		assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> GtrainImport.importTo(
			Fixtures.path("import/gtrain_small_official.pth"), DerainConfig.Activation.LEAKY, out, false));
	}

	@Test
	void missingKeysAndWrongShapesAreNamed() {
		try (NDManager m = NDManager.newBaseManager()) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> read(m, "gtrain_small_missing_key.pth", DerainConfig.Activation.LEAKY));
			assertTrue(e.getMessage().endsWith(
				"1 missing [residual_blocks.1.conv_block.5.modulator_conv.bias]"), e.getMessage());
			e = assertThrows(IllegalArgumentException.class,
				() -> read(m, "gtrain_small_wrong_shape.pth", DerainConfig.Activation.LEAKY));
			assertTrue(e.getMessage().endsWith(
				"upsample_1.conv.conv.1.weight has shape (4, 8, 5, 5) but the network needs (4, 8, 3, 3)"), e.getMessage());
		}
	}

	@Test
	void aCheckpointThatNamesAnyOtherCallableIsRefusedWithoutRunningIt() throws Exception {
		Path marker = Path.of("/tmp/fiji-derain-pth-marker");
		Files.deleteIfExists(marker);
		try (NDManager m = NDManager.newBaseManager()) {
			CheckpointException e = assertThrows(CheckpointException.class,
				() -> GtrainImport.read(Fixtures.path("pth/evil_os_system.pth"), DerainConfig.Activation.LEAKY, m));
			assertTrue(e.getMessage().contains("asks to run posix.system"), e.getMessage());
		}
		assertFalse(Files.exists(marker), "the malicious pickle must not have run");
		assertFalse(Files.exists(tmp.resolve("model")));
	}

	@Test
	void aCheckpointWithFlippedBytesIsRefusedAsDamaged() throws Exception {
		byte[] bytes = Files.readAllBytes(Fixtures.path("import/gtrain_small_official.pth"));
		ZipBytes.Entry weight = ZipBytes.entry(bytes, "/data/0"); // initial_conv.0.conv.1.weight, 2352 bytes
		bytes[weight.data() + 100] ^= 0x10;
		bytes[weight.data() + 1001] ^= 0x01;
		Path damaged = tmp.resolve("damaged.pth");
		Files.write(damaged, bytes);
		CheckpointException e = assertThrows(CheckpointException.class,
			() -> GtrainImport.importTo(damaged, DerainConfig.Activation.LEAKY, tmp.resolve("model"), false));
		assertTrue(e.getMessage().startsWith(damaged + " is damaged: entry gtrain_small_official/data/0 fails its CRC-32"
			+ " check"), e.getMessage());
		assertTrue(e.getMessage().endsWith("download or copy it again"), e.getMessage());
		assertFalse(Files.exists(tmp.resolve("model")));
	}

	@Test
	void aCheckpointHoldingNaNIsRefusedWithTheTensorNamed() throws Exception {
		byte[] bytes = Files.readAllBytes(Fixtures.path("import/gtrain_small_official.pth"));
		ZipBytes.patch(bytes, "/data/0", 4 * 5, ZipBytes.float32(Float.NaN));
		Path poisoned = tmp.resolve("poisoned.pth");
		Files.write(poisoned, bytes);
		CheckpointException e = assertThrows(CheckpointException.class,
			() -> GtrainImport.importTo(poisoned, DerainConfig.Activation.LEAKY, tmp.resolve("model"), false));
		assertEquals(poisoned + ": tensor 'initial_conv.0.conv.1.weight' holds 1 NaN/Inf value; the checkpoint is"
			+ " damaged or the training diverged", e.getMessage());
		assertFalse(Files.exists(tmp.resolve("model")));
	}

	private static GtrainImport.Imported read(NDManager m, String name, DerainConfig.Activation a) throws Exception {
		return GtrainImport.read(Fixtures.path("import/" + name), a, m);
	}
}
