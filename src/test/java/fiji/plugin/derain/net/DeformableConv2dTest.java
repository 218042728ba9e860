package fiji.plugin.derain.net;

import static fiji.plugin.derain.net.NetAssert.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import fiji.plugin.derain.testutil.Fixtures;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The gather-based deformable conv against torchvision 0.14's {@code deform_conv2d} (fixture from
 * tools/make_net_fixtures.py) and against DJL's plain conv. Tolerance 1e-4 on every output and gradient
 * (relative to the tensor's largest magnitude when that exceeds 1).
 */
class DeformableConv2dTest {
	private static final double TOL = 1e-4;
	private NDManager manager;
	private Map<String, NDArray> f;

	@BeforeEach
	void load() {
		manager = NDManager.newBaseManager();
		f = Fixtures.load(manager, "net/deform_conv.safetensors");
	}

	@AfterEach
	void close() {
		manager.close();
	}

	@Test
	void zeroOffsetsWithUnitMaskAreAPlainConv() {
		NDArray x = f.get("x"), w = f.get("weight"), b = f.get("bias");
		NDArray ones = manager.ones(f.get("mask").getShape());
		NDArray plain = Conv2d.conv2d(x, w, b).singletonOrThrow();
		assertClose(plain, DeformableConv2d.deformConv2d(x, f.get("offset.zero"), ones, w, b), TOL, "vs DJL conv2d");
	}

	@ParameterizedTest
	@ValueSource(strings = {"zero", "integer", "fractional", "outside"})
	void matchesTorchvision(String offsets) {
		NDArray x = f.get("x"), w = f.get("weight"), b = f.get("bias"), off = f.get("offset." + offsets);
		assertClose(f.get("out." + offsets), DeformableConv2d.deformConv2d(x, off, f.get("mask"), w, b), TOL,
			offsets + " offsets, mask");
		NDArray ones = manager.ones(f.get("mask").getShape());
		assertClose(f.get("out_unmasked." + offsets), DeformableConv2d.deformConv2d(x, off, ones, w, b), TOL,
			offsets + " offsets, no mask");
		// 7 output pixels per chunk: 84 pixels give 12 chunks, the batch boundary inside one
		assertClose(f.get("out." + offsets), DeformableConv2d.deformConv2d(x, off, f.get("mask"), w, b, 7), TOL,
			offsets + " offsets, chunked");
	}

	@Test
	void gradientsMatchTorchvision() {
		NDArray[] leaves = {f.get("x"), f.get("offset.fractional"), f.get("mask"), f.get("weight"), f.get("bias")};
		String[] names = {"x", "offset", "mask", "weight", "bias"};
		for (NDArray a : leaves) a.setRequiresGradient(true);
		try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
			NDArray y = DeformableConv2d.deformConv2d(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], 10);
			gc.backward(y.mul(f.get("upstream")).sum());
		}
		for (int i = 0; i < leaves.length; i++)
			assertClose(f.get("grad." + names[i]), leaves[i].getGradient(), TOL, "gradient of " + names[i]);
	}

	@Test
	void rejectsMismatchedOffsets() {
		NDArray x = f.get("x");
		org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
			() -> DeformableConv2d.deformConv2d(x, manager.zeros(new Shape(2, 18, 5, 5)), f.get("mask"), f.get("weight"), null));
	}
}
