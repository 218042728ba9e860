package fiji.plugin.derain.net;

import static fiji.plugin.derain.net.NetAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import fiji.plugin.derain.net.DerainConfig.Activation;
import fiji.plugin.derain.net.DerainConfig.Init;
import fiji.plugin.derain.net.DerainConfig.Norm;
import fiji.plugin.derain.testutil.Fixtures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

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
	void aChainClosesEachIntermediateOnceConsumedButNeitherItsInputNorWhatItReturns() {
		List<NDArray> made = new ArrayList<>();
		NetBlock plusOne = recording(made, x -> x.add(1)), same = recording(made, x -> x);
		NDArray input = manager.zeros(new Shape(1, 1, 2, 2));
		// same returns its input itself (as a padding of 0 does): neither it nor the chain's input may be closed
		NDArray out = NetBlock.chain(ps, new NDList(input), false, same, plusOne, same, null, plusOne).singletonOrThrow();
		assertEquals(4, made.size());
		assertSame(input, made.get(0));
		assertFalse(input.isReleased(), "the chain's input");
		assertSame(made.get(1), made.get(2));
		assertTrue(made.get(1).isReleased(), "the intermediate, once the last block has consumed it");
		assertSame(out, made.get(3));
		assertFalse(out.isReleased());
		assertEquals(8f, out.sum().getFloat()); // 4 pixels, each 0 + 1 + 1
		assertEquals(0f, input.sum().getFloat());
	}

	/** A block without parameters that applies {@code f} and records each output. */
	private static NetBlock recording(List<NDArray> made, UnaryOperator<NDArray> f) {
		return new NetBlock() {
			@Override
			protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
				NDArray y = f.apply(inputs.singletonOrThrow());
				made.add(y);
				return new NDList(y);
			}

			@Override
			void collectState(String prefix, Map<String, Parameter> out) {
			}

			@Override
			public Shape[] getOutputShapes(Shape[] inputShapes) {
				return inputShapes;
			}
		};
	}

	@Test
	void reflectionPadMatchesPyTorch() {
		assertClose(f.get("pad.out"), ReflectionPad2d.pad(f.get("pad.x"), 3), TOL, "ReflectionPad2d(3)");
		assertThrows(IllegalArgumentException.class, () -> ReflectionPad2d.pad(f.get("pad.x"), 5));
	}

	@Test
	void bilinearAlignCornersMatchesPyTorch() {
		assertClose(f.get("up.out"), DecoderBlock.upsample2x(f.get("pad.x")), TOL, "interpolate x2 align_corners");
		NDArray x = f.get("pad.x"), up = f.get("up.out");
		long h = x.getShape().get(2), w = x.getShape().get(3);
		// tiles at quarter resolution, on the whole image's grid: their outputs whose two source pixels lie inside
		// (all but the two outer rows or columns of a cut edge) are the whole image's; one channel at a time
		String[] tiles = {"1:4, 0:6", "0:5, 1:5", "1:4, 1:5"}; // a band (whole columns), a strip, an inner tile
		for (String tile : tiles) {
			long[] t = Arrays.stream(tile.split("[:,] *")).mapToLong(Long::parseLong).toArray();
			NDArray out = DecoderBlock.upsample2x(x.get(":, :, " + tile), 1, new TilePlacement(4 * t[2], 4 * t[0], 4 * w,
				4 * h), 4);
			long r0 = t[0] == 0 ? 0 : 2, r1 = 2 * (t[1] - t[0]) - (t[1] == h ? 0 : 2);
			long c0 = t[2] == 0 ? 0 : 2, c1 = 2 * (t[3] - t[2]) - (t[3] == w ? 0 : 2);
			NDIndex inside = new NDIndex(":, :, {}:{}, {}:{}", r0, r1, c0, c1);
			NDIndex same = new NDIndex(":, :, {}:{}, {}:{}", 2 * t[0] + r0, 2 * t[0] + r1, 2 * t[2] + c0, 2 * t[2] + c1);
			assertClose(up.get(same), out.get(inside), TOL, "tile " + tile);
		}
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
