package fiji.plugin.derain.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.io.GtrainImport;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.tensor.Scaling;
import fiji.plugin.derain.tensor.TiledInference;
import fiji.plugin.derain.testutil.Fixtures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A GT-RAIN checkpoint written by torch.save, imported and run through the engine, gives PyTorch's output
 * (tools/make_import_fixtures.py). Tolerance 1e-4 on [0, 1] values.
 */
class DerainerTest {
	@TempDir
	Path tmp;

	@Test
	void importedCheckpointDerainsLikePyTorch() throws Exception {
		for (String variant : new String[] {"leaky_batch", "mish_instance"}) {
			boolean mish = variant.startsWith("mish");
			Path model = tmp.resolve(variant);
			GtrainImport.importTo(Fixtures.path("import/" + (mish ? "gtrain_small_mish_instance.pth"
				: "gtrain_small_official.pth")), mish ? DerainConfig.Activation.MISH : DerainConfig.Activation.LEAKY, model,
				false);
			try (NDManager m = NDManager.newBaseManager()) {
				Map<String, NDArray> f = Fixtures.load(m, "import/expected.safetensors");
				ImagePlus in = composite(f.get("input").toFloatArray(), 24, 20);
				float[] expected = f.get(variant + "/image").toFloatArray();
				List<Long> seen = new ArrayList<>();
				ImagePlus out;
				try (Derainer d = Derainer.open(model, DeviceChoice.CPU, s -> {})) {
					out = d.derain(in, new Derainer.Settings(0, 0, new Scaling(0, 1)), (done, total) -> seen.add(done),
						() -> false);
				}
				assertEquals(List.of(1L), seen);
				assertEquals(3, out.getNChannels());
				double maxDiff = 0;
				for (int c = 0; c < 3; c++) {
					float[] px = (float[]) out.getStack().getPixels(c + 1);
					for (int i = 0; i < px.length; i++)
						maxDiff = Math.max(maxDiff, Math.abs(px[i] - (expected[c * px.length + i] * 0.5 + 0.5)));
				}
				assertTrue(maxDiff < 1e-4, variant + ": max |Java − PyTorch| = " + maxDiff);
			}
		}
	}

	@Test
	void tiledOutputEqualsWholeImageOutputWithTheShippedModel() throws Exception {
		// the default model (a trained network: its learned offsets are what the default overlap must cover)
		Path model = ModelCatalog.resolve(ModelCatalog.DEFAULT);
		// a smooth-plus-texture RGB image whose size is neither a multiple of the tile nor of 4
		int w = 402, h = 297;
		ij.process.ColorProcessor cp = new ij.process.ColorProcessor(w, h);
		java.util.Random r = new java.util.Random(3);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int red = (int) (128 + 100 * Math.sin(x / 9.0)) + r.nextInt(20);
				int green = (int) (128 + 100 * Math.cos(y / 7.0)) + r.nextInt(20);
				int blue = (x * y) % 256;
				cp.set(x, y, (Math.min(255, red) << 16) | (Math.min(255, green) << 8) | blue);
			}
		ImagePlus in = new ImagePlus("texture", cp);
		try (Derainer d = Derainer.open(model, DeviceChoice.CPU, s -> {})) {
			int[] whole = (int[]) d.derain(in, new Derainer.Settings(0, 0, null), (a, b) -> {}, () -> false).getProcessor()
				.getPixels();
			long[] tiles = {0};
			int[] tiled = (int[]) d.derain(in, new Derainer.Settings(256, TiledInference.DEFAULT_OVERLAP, null), (a, b) -> tiles[0] = b, () -> false)
				.getProcessor().getPixels();
			assertTrue(tiles[0] >= 4, "the image must really be split, got " + tiles[0] + " tiles");
			int maxDiff = 0;
			for (int i = 0; i < whole.length; i++)
				for (int shift = 0; shift <= 16; shift += 8)
					maxDiff = Math.max(maxDiff, Math.abs(((whole[i] >> shift) & 0xff) - ((tiled[i] >> shift) & 0xff)));
			assertTrue(maxDiff <= 1, "tiled vs whole image: max difference " + maxDiff + "/255 (allowed 1/255)");
		}
	}

	/**
	 * The shipped default model really removes the rain of the shipped sample photo (synthetic rain on a held-out
	 * photo, never used in training). Measured when it was shipped (README, MODEL_CARD.md): PSNR 24.72 → 31.58 dB,
	 * SSIM 0.896 → 0.951. Asserted with margins: a PSNR gain of at least 6 dB and an SSIM above 0.945, so that a
	 * broken or swapped default model fails here (the two models shipped before it, 31.92 dB / 0.9447 and
	 * 30.30 dB / 0.842, fail the SSIM bound).
	 */
	@Test
	void shippedModelRemovesTheSampleRain() throws Exception {
		ImagePlus rainy = fiji.plugin.derain.io.ImageFiles.read(Path.of("models/samples/leuven-rain.png"));
		ImagePlus clean = fiji.plugin.derain.io.ImageFiles.read(Path.of("models/samples/leuven-clean.png"));
		ImagePlus derained;
		try (Derainer d = Derainer.open(ModelCatalog.resolve(ModelCatalog.DEFAULT), DeviceChoice.CPU, s -> {})) {
			derained = d.derain(rainy, new Derainer.Settings(0, 0, null), (a, b) -> {}, () -> false);
		}
		fiji.plugin.derain.metrics.Score before = score(rainy, clean), after = score(derained, clean);
		assertEquals(24.718, before.psnr(), 0.001, "the sample pair itself");
		assertTrue(after.psnr() > before.psnr() + 6, "PSNR " + before.psnr() + " -> " + after.psnr());
		assertTrue(after.ssim() > 0.945, "SSIM " + before.ssim() + " -> " + after.ssim());
	}

	/**
	 * libtorch's autograd switch is per thread and on in every thread but the one that loaded the engine; a SciJava
	 * command or a Spark task derains on such a thread. The network must run there with recording off (it cost the
	 * Spark job half its speed) and leave the thread's switch as it found it. Observed from the progress callback,
	 * which the banded pass calls between bands.
	 */
	@Test
	void inferenceOnAnotherThreadRunsWithAutogradOffAndRestoresIt() throws Exception {
		ImagePlus rainy = fiji.plugin.derain.io.ImageFiles.read(Path.of("models/samples/leuven-rain.png"));
		rainy.setRoi(0, 0, 160, 200);
		ImagePlus crop = rainy.crop();
		List<Boolean> during = new ArrayList<>();
		boolean[] before = new boolean[1], after = new boolean[1];
		try (Derainer d = Derainer.open(ModelCatalog.resolve(ModelCatalog.DEFAULT), DeviceChoice.CPU, s -> {})) {
			Thread t = new Thread(() -> {
				before[0] = ai.djl.pytorch.jni.JniUtils.isGradMode();
				d.derain(crop, new Derainer.Settings(64, 0, null),
					(done, total) -> during.add(ai.djl.pytorch.jni.JniUtils.isGradMode()), () -> false);
				after[0] = ai.djl.pytorch.jni.JniUtils.isGradMode();
			});
			t.start();
			t.join();
		}
		assertTrue(before[0], "a new thread starts with recording on (else this test shows nothing)");
		assertTrue(during.size() > 2 && !during.contains(true), "recording while deraining: " + during);
		assertTrue(after[0], "the thread's switch is restored");
	}

	/**
	 * Weights that are finite but make the network compute NaN (here a negative BatchNorm variance, whose square
	 * root is NaN). Before, NaN reaching the output conv gave an all-black image with no error, and NaN reaching the
	 * deformable convs made them index with NaN, reported as "Out of memory at tile ..., retrying" and then
	 * "index -9223372036854775808 is out of bounds".
	 */
	@ParameterizedTest
	@ValueSource(strings = {"upsample_1.conv.conv.2.running_var", "initial_conv.0.conv.2.running_var"})
	void aModelWhoseOutputIsNotFiniteIsAClearErrorNotABlackImage(String tensor) throws Exception {
		Path model = tmp.resolve("broken");
		try (NDManager m = NDManager.newBaseManager()) {
			GtrainImport.Imported imported = GtrainImport.read(Fixtures.path("import/gtrain_small_official.pth"),
				DerainConfig.Activation.LEAKY, m);
			imported.weights().put(tensor, imported.weights().get(tensor).onesLike().neg());
			ModelFolder.save(model, ModelDescriptor.of("broken", "overflows", imported.config(), Map.of()),
				imported.weights(), false);
		}
		ij.process.ColorProcessor cp = new ij.process.ColorProcessor(40, 36);
		java.util.Random r = new java.util.Random(5);
		for (int i = 0; i < 40 * 36; i++)
			cp.set(i, r.nextInt(1 << 24));
		ImagePlus in = new ImagePlus("rainy.png", cp);
		List<String> log = new ArrayList<>();
		try (Derainer d = Derainer.open(model, DeviceChoice.CPU, log::add)) {
			IllegalStateException e = assertThrows(IllegalStateException.class,
				() -> d.derain(in, new Derainer.Settings(0, 0, null), (a, b) -> {}, () -> false));
			assertEquals("model 'broken' gave NaN/Inf values for image 'rainy.png': its weights are broken (damaged, or"
				+ " from a training run that diverged); use another model", e.getMessage());
		}
		assertTrue(log.stream().noneMatch(l -> l.contains("Out of memory")), log.toString());
	}

	private static fiji.plugin.derain.metrics.Score score(ImagePlus image, ImagePlus reference) {
		return fiji.plugin.derain.metrics.Metrics.score(fiji.plugin.derain.tensor.ImageBridge.frame(image, 1, 1,
			Scaling.BYTE), fiji.plugin.derain.tensor.ImageBridge.frame(reference, 1, 1, Scaling.BYTE),
			fiji.plugin.derain.metrics.Convention.STANDARD);
	}

	/** A 3-channel 32-bit composite holding the (1,3,h,w) tensor mapped to [0, 1]. */
	static ImagePlus composite(float[] nchw, int w, int h) {
		ImageStack s = new ImageStack(w, h);
		for (int c = 0; c < 3; c++) {
			float[] p = new float[w * h];
			for (int i = 0; i < p.length; i++)
				p[i] = nchw[c * p.length + i] * 0.5f + 0.5f;
			s.addSlice(new FloatProcessor(w, h, p));
		}
		ImagePlus imp = new ImagePlus("input", s);
		imp.setDimensions(3, 1, 1);
		return new CompositeImage(imp, CompositeImage.COMPOSITE);
	}
}
