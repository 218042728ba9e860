package fiji.plugin.derain.net;

import static fiji.plugin.derain.net.NetAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import fiji.plugin.derain.net.DerainConfig.Activation;
import fiji.plugin.derain.net.DerainConfig.Init;
import fiji.plugin.derain.net.DerainConfig.Norm;
import fiji.plugin.derain.testutil.Fixtures;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every block type alone, in eval mode with seeded random weights, against the PyTorch reference
 * (tools/gtrain_reference.py via tools/make_net_fixtures.py). Tolerance 1e-4 on every output.
 */
class BlocksTest {
	private static final double TOL = 1e-4;
	private NDManager manager;
	private Map<String, NDArray> f;
	private ParameterStore ps;

	@BeforeEach
	void load() {
		manager = NDManager.newBaseManager();
		f = Fixtures.load(manager, "net/blocks.safetensors");
		ps = new ParameterStore(manager, false);
	}

	@AfterEach
	void close() {
		manager.close();
	}

	@Test
	void reflectionPadMatchesPyTorch() {
		assertClose(f.get("pad.out"), ReflectionPad2d.pad(f.get("pad.x"), 3), TOL, "ReflectionPad2d(3)");
		assertThrows(IllegalArgumentException.class, () -> ReflectionPad2d.pad(f.get("pad.x"), 5));
	}

	@Test
	void bilinearAlignCornersMatchesPyTorch() {
		assertClose(f.get("up.out"), DecoderBlock.upsample2x(f.get("pad.x")), TOL, "interpolate x2 align_corners");
		NDArray x = f.get("pad.x");
		// the tiles' path (gathers on the whole image's grid), here with the whole image as the tile
		TilePlacement whole = new TilePlacement(0, 0, 4 * x.getShape().get(3), 4 * x.getShape().get(2));
		assertClose(f.get("up.out"), DecoderBlock.upsample2x(x, 1, whole, 4), TOL, "gathers, one channel at a time");
	}

	@Test
	void adaptivePoolOfOddSizeMatchesPyTorch() {
		assertClose(f.get("pool.out"), DerainNet.pool2x2(f.get("pool.x")), TOL, "adaptive_avg_pool2d(2) 5x7");
	}

	@Test
	void mishMatchesPyTorch() {
		assertClose(f.get("mish.out"), ActivationBlock.apply(ActivationBlock.Kind.MISH, f.get("mish.x")), TOL, "mish");
	}

	@Test
	void convBlockStride2() {
		DerainConfig config = new DerainConfig(1, 0, Activation.LEAKY, Norm.BATCH, Init.NORMAL);
		ConvNormAct block = NetAssert.load(new ConvNormAct(4, 6, 3, 2, config), "convblock.conv", f, manager);
		assertClose(f.get("convblock.out"), block.forward(ps, f.get("convblock.x"), false), TOL, "ConvBlock");
	}

	@Test
	void residualBlockWithMish() {
		DerainConfig config = new DerainConfig(1, 0, Activation.MISH, Norm.BATCH, Init.NORMAL);
		DeformableResBlock block = NetAssert.load(new DeformableResBlock(8, config), "resblock", f, manager);
		NDArray out = block.forward(ps, new NDList(f.get("resblock.x")), false).singletonOrThrow();
		assertClose(f.get("resblock.out"), out, TOL, "ResidualBlock");
	}

	@Test
	void decoderWithInstanceNorm() {
		DerainConfig config = new DerainConfig(1, 0, Activation.LEAKY, Norm.INSTANCE, Init.NORMAL);
		DecoderBlock block = NetAssert.load(new DecoderBlock(8, 4, config), "decoder", f, manager);
		NDArray out = block.forward(ps, new NDList(f.get("decoder.x"), f.get("decoder.skip")), false).singletonOrThrow();
		assertClose(f.get("decoder.out"), out, TOL, "DecoderBlock");
	}
}
