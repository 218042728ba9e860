package fiji.plugin.derain.io.pth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Half-precision decoding at the edges of the format (hand-computed from IEEE 754 binary16). */
class TorchDtypeTest {
	private static float half(int bits) {
		return TorchDtype.halfToFloat((short) bits);
	}

	@Test
	void halfToFloatIsExact() {
		assertEquals(1f, half(0x3c00));
		assertEquals(-2f, half(0xc000));
		assertEquals(0.333251953125f, half(0x3555));
		assertEquals(65504f, half(0x7bff), "largest half");
		assertEquals(0x1p-14f, half(0x0400), "smallest normal");
		assertEquals(0x1p-24f, half(0x0001), "smallest subnormal");
		assertEquals(-0x3ffp-24f, half(0x83ff), "largest negative subnormal");
		assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(half(0x8000)));
		assertEquals(Float.POSITIVE_INFINITY, half(0x7c00));
		assertEquals(Float.NEGATIVE_INFINITY, half(0xfc00));
		assertTrue(Float.isNaN(half(0x7e00)));
	}

	@Test
	void storageClassesMapToTorchNames() {
		assertEquals(TorchDtype.BFLOAT16, TorchDtype.ofStorageClass("BFloat16Storage"));
		assertEquals("int8", TorchDtype.ofStorageClass("CharStorage").torchName);
		assertEquals(null, TorchDtype.ofStorageClass("UntypedStorage"));
	}
}
