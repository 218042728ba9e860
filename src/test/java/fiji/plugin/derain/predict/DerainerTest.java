package fiji.plugin.derain.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.io.GtrainImport;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.tensor.Scaling;
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
