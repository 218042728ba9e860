package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

import java.util.function.ObjIntConsumer;

/**
 * Copies between ImgLib2 RGB images in [0, 1] (axis order X, Y, C with 3 channels, any min) and network tensors
 * (float32, NCHW = (1, 3, h, w), values in [-1, 1]). Copies go through one {@code float[]} in bulk, so a region must
 * have fewer than 2<sup>31</sup> values: tile larger images ({@link TiledInference}).
 */
public final class Tensors {
	private Tensors() {}

	/**
	 * A new (1, 3, h, w) float32 tensor on {@code manager}'s device, holding {@code v * 2 - 1} of every value of
	 * {@code xyc} (w = dimension 0, h = dimension 1). The caller owns the array (it lives as long as {@code manager}).
	 */
	public static NDArray toTensor(NDManager manager, RandomAccessibleInterval<? extends RealType<?>> xyc) {
		long w = xyc.dimension(0), h = xyc.dimension(1);
		ImageBridge.checkRgbInterval(xyc, w, h, "network input");
		float[] data = new float[checkedSize(w, h)];
		forEachValue(xyc, (v, i) -> data[i] = v.getRealFloat() * 2f - 1f);
		return manager.create(data, new Shape(1, 3, h, w));
	}

	/**
	 * Writes {@code y * 0.5 + 0.5}, clamped to [0, 1], of a (1, 3, h, w) tensor into {@code xyc}, which must be
	 * (w, h, 3). The tensor is read, not closed.
	 */
	public static void fromTensor(NDArray nchw, RandomAccessibleInterval<? extends RealType<?>> xyc) {
		long w = xyc.dimension(0), h = xyc.dimension(1);
		ImageBridge.checkRgbInterval(xyc, w, h, "tensor target");
		float[] unit = toUnit(nchw, h, w);
		forEachValue(xyc, (v, i) -> v.setReal(unit[i]));
	}

	/**
	 * Visits every value of a (w, h, 3) interval with its index in a C-contiguous (3, h, w) array: X fastest, then Y,
	 * then C (the order in which a tensor's {@code float[]} is laid out).
	 */
	private static void forEachValue(RandomAccessibleInterval<? extends RealType<?>> xyc, ObjIntConsumer<RealType<?>> visitor) {
		int w = (int) xyc.dimension(0), h = (int) xyc.dimension(1);
		RandomAccess<? extends RealType<?>> access = xyc.randomAccess();
		long[] pos = new long[3];
		int i = 0;
		for (int c = 0; c < 3; c++) {
			for (int y = 0; y < h; y++) {
				pos[0] = xyc.min(0);
				pos[1] = xyc.min(1) + y;
				pos[2] = xyc.min(2) + c;
				access.setPosition(pos);
				for (int x = 0; x < w; x++, i++) {
					visitor.accept(access.get(), i);
					access.fwd(0);
				}
			}
		}
	}

	/**
	 * The values of a (1, 3, h, w) tensor as a C-contiguous CHW {@code float[]}, mapped with {@code y * 0.5 + 0.5} and
	 * clamped to [0, 1].
	 */
	static float[] toUnit(NDArray nchw, long h, long w) {
		Shape expected = new Shape(1, 3, h, w);
		if (!nchw.getShape().equals(expected))
			throw new IllegalStateException("network output has shape " + nchw.getShape() + ", expected " + expected);
		float[] data;
		if (nchw.getDataType() == DataType.FLOAT32) data = nchw.toFloatArray();
		else try (NDArray f = nchw.toType(DataType.FLOAT32, false)) {
			data = f.toFloatArray();
		}
		for (int i = 0; i < data.length; i++) data[i] = Math.max(0f, Math.min(1f, data[i] * 0.5f + 0.5f));
		return data;
	}

	private static int checkedSize(long w, long h) {
		long n = 3 * w * h;
		if (n > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("a region of " + w + " x " + h + " x 3 does not fit one tensor copy; tile it");
		return (int) n;
	}
}
