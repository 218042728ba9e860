package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorsTest {

	@Test
	void toTensorIsNchwInMinusOneToOne() {
		// X, Y, C image 2 x 2 x 3; value = x + 2y + 4c over 11 -> tensor (1, 3, 2, 2) of v * 2 - 1
		Img<FloatType> img = ArrayImgs.floats(2, 2, 3);
		var c = img.localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			c.get().set((c.getIntPosition(0) + 2 * c.getIntPosition(1) + 4 * c.getIntPosition(2)) / 11f);
		}
		// a non-zero min must not matter
		RandomAccessibleInterval<FloatType> shifted = Views.translate(img, -5, 9, 2);
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray t = Tensors.toTensor(manager, shifted);
			assertEquals(new Shape(1, 3, 2, 2), t.getShape());
			float[] expected = new float[12];
			for (int i = 0; i < 12; i++) expected[i] = i / 11f * 2 - 1; // CHW index == x + 2y + 4c
			assertArrayEquals(expected, t.toFloatArray(), 1e-6f);
		}
	}

	@Test
	void fromTensorMapsBackAndClamps() {
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray y = manager.create(new float[] { -1, 0, 1, 3, -2, 0.5f }, new Shape(1, 3, 1, 2));
			Img<FloatType> out = ArrayImgs.floats(2, 1, 3);
			Tensors.fromTensor(y, Views.translate(out, 100, 100, 0));
			float[] got = new float[6];
			int i = 0;
			for (FloatType v : out) got[i++] = v.get();
			assertArrayEquals(new float[] { 0, 0.5f, 1, 1, 0, 0.75f }, got);
		}
	}

	@Test
	void integerViewsAreCopiedToo() {
		Img<UnsignedByteType> bytes = ArrayImgs.unsignedBytes(new byte[] { 0, 1, 1, 0, 1, 1 }, 1, 2, 3);
		try (NDManager manager = NDManager.newBaseManager()) {
			assertArrayEquals(new float[] { -1, 1, 1, -1, 1, 1 }, Tensors.toTensor(manager, bytes).toFloatArray());
		}
	}

	@Test
	void shapesAreChecked() {
		try (NDManager manager = NDManager.newBaseManager()) {
			assertThrows(IllegalArgumentException.class, () -> Tensors.toTensor(manager, ArrayImgs.floats(4, 4, 2)));
			NDArray y = manager.zeros(new Shape(1, 3, 4, 5));
			IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensors.fromTensor(y, ArrayImgs.floats(4, 4, 3)));
			assertEquals("network output has shape (1, 3, 4, 5), expected (1, 3, 4, 4)", e.getMessage());
		}
	}
}
