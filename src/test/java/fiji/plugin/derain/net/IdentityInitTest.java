package fiji.plugin.derain.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.net.DerainConfig.Activation;
import fiji.plugin.derain.net.DerainConfig.Init;
import fiji.plugin.derain.net.DerainConfig.Norm;
import fiji.plugin.derain.train.RgbImage;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** {@code init identity}: the untrained network gives its input back, on a real photo. */
class IdentityInitTest {

	@Test
	void tanhOfTheFittedHingeSumGivesXBack() {
		double[] coef = IdentityInit.atanhFit();
		double[] row = new double[coef.length];
		double max = 0, sq = 0;
		int n = 2001;
		for (int p = 0; p < n; p++) {
			double x = -0.999 + 1.998 * p / (n - 1), s = 0;
			IdentityInit.hingeRow(x, row);
			for (int j = 0; j < coef.length; j++) s += coef[j] * row[j];
			double e = Math.tanh(s) - x;
			max = Math.max(max, Math.abs(e));
			sq += e * e;
		}
		// tools/make_identity_init.py's numpy fit of the same hinges: max 0.022, rms 0.008
		assertTrue(max < 0.025 && Math.sqrt(sq / n) < 0.009, "max " + max + ", rms " + Math.sqrt(sq / n));
	}

	@Test
	void untrainedNetworkReturnsAPhoto() throws Exception {
		RgbImage photo = RgbImage.read(Path.of("models/samples/leuven-clean.png"));
		int w = 256, h = 192;
		float[] x = new float[3 * w * h];
		for (int c = 0; c < 3; c++)
			for (int y = 0; y < h; y++)
				for (int i = 0; i < w; i++)
					x[(c * h + y) * w + i] = photo.pixels()[(c * photo.height() + y) * photo.width() + i] * 2 - 1;
		for (int blocks : new int[] {0, 3}) {
			try (NDManager m = NDManager.newBaseManager()) {
				// the Kaiming-random deep path adds a little (×0.01): 42–48 dB over eight draws of this photo
				Engine.getInstance().setRandomSeed(2026 + blocks);
				DerainNet net = DerainNet.create(new DerainConfig(24, blocks, Activation.LEAKY, Norm.BATCH, Init.IDENTITY), m);
				NDArray in = m.create(x, new Shape(1, 3, h, w));
				NDList out = net.forward(new ParameterStore(m, false), new NDList(in), false);
				float[] y = out.get(0).toFloatArray();
				double max = 0, sq = 0;
				for (int i = 0; i < x.length; i++) {
					double d = y[i] - x[i];
					max = Math.max(max, Math.abs(d));
					sq += d * d / 4; // on [0, 1]
				}
				double psnr = -10 * Math.log10(sq / x.length);
				assertTrue(max < 0.06 && psnr > 40, blocks + " blocks: max difference " + max + ", PSNR " + psnr);
			}
		}
	}

	@Test
	void needsRoomForTheIdentityChannels() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> new DerainConfig(16, 4, Activation.LEAKY, Norm.BATCH, Init.IDENTITY));
		assertEquals("init identity needs ngf of at least 24, activation leaky and norm batch (it carries the colours"
			+ " through LeakyReLU and frozen BatchNorm), got ngf 16, leaky, batch", e.getMessage());
		assertThrows(IllegalArgumentException.class,
			() -> new DerainConfig(24, 4, Activation.MISH, Norm.BATCH, Init.IDENTITY));
	}
}
