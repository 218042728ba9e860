package fiji.plugin.derain.predict;

import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.tensor.TiledInference;
import fiji.plugin.derain.testutil.Fixtures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

import org.junit.jupiter.api.Test;

/**
 * Odd widths and heights are mirror-padded to multiples of 4 (and at least 8) and cropped back exactly as PyTorch's
 * {@code F.pad(x, (0, pw, 0, ph), mode="reflect")} → net → crop does it (tools/make_tile_fixtures.py, a tiny random
 * model), whole and tiled: 101×59, 38×71 and 5×7.
 */
class OddSizePaddingTest {
	private static final int[][] SIZES = {{101, 59}, {38, 71}, {5, 7}};

	@Test
	void oddSizesMatchPyTorchWholeAndTiled() throws Exception {
		try (NDManager manager = NDManager.newBaseManager();
			Derainer d = Derainer.open(Fixtures.path("tiles/odd_model"), DeviceChoice.CPU, s -> {})) {
			Map<String, NDArray> f = Fixtures.load(manager, "tiles/odd.safetensors");
			for (int k = 0; k < SIZES.length; k++) {
				int w = SIZES[k][0], h = SIZES[k][1];
				float[] image = ExactTilesTest.xyc(f.get("case" + k + ".image").toUint8Array(), w, h);
				float[] expected = f.get("case" + k + ".output").toFloatArray();
				for (int tile : new int[] {0, 32, 64}) {
					ArrayImg<FloatType, FloatArray> out = ArrayImgs.floats(w, h, 3);
					TiledInference.Builder b = TiledInference.builder().setNetwork(d.network()).setManager(manager);
					(tile == 0 ? b.optWholeImage() : b.optTileSize(tile)).build().run(ArrayImgs.floats(image, w, h, 3), out);
					float[] got = out.update(null).getCurrentStorageArray();
					float max = 0;
					for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expected[i]));
					assertTrue(max < 1e-4, w + "x" + h + (tile == 0 ? " whole" : " tile " + tile) + ": max |Java − PyTorch| = "
						+ max);
				}
			}
		}
	}
}
