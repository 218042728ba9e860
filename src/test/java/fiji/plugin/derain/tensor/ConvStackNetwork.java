package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import java.util.Random;

/**
 * A real network stand-in for tiling tests: {@code layers} seeded random 3×3 convolutions (3 → 8 → … → 3), each on a
 * reflection-padded input (as GT-RAIN pads), ReLU between, tanh at the end. Its receptive-field radius is
 * {@code layers} pixels, so tiles without enough overlap really differ from the whole image.
 * <p>
 * With {@code pooled}, the first layer's features also get their 4×4 block means added back (average pooling with
 * stride 4, then nearest upsampling), so, like GT-RAIN's two stride-2 stages, the output depends on where the image
 * sits relative to a 4-pixel grid (and the receptive field grows by 3 px).
 */
final class ConvStackNetwork implements NetworkFunction, AutoCloseable {
	private static final int HIDDEN = 8;
	private final NDManager manager = NDManager.newBaseManager();
	private final NDArray[] weights, biases;
	private int calls;

	private final boolean pooled;

	ConvStackNetwork(int layers, long seed) {
		this(layers, seed, false);
	}

	ConvStackNetwork(int layers, long seed, boolean pooled) {
		this.pooled = pooled;
		Random random = new Random(seed);
		weights = new NDArray[layers];
		biases = new NDArray[layers];
		for (int l = 0; l < layers; l++) {
			int in = l == 0 ? 3 : HIDDEN, out = l == layers - 1 ? 3 : HIDDEN;
			float[] w = new float[out * in * 9];
			float scale = (float) Math.sqrt(2.0 / (in * 9)); // He init keeps activations O(1)
			for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() * scale;
			float[] b = new float[out];
			for (int i = 0; i < b.length; i++) b[i] = (float) random.nextGaussian() * 0.1f;
			weights[l] = manager.create(w, new Shape(out, in, 3, 3));
			biases[l] = manager.create(b);
		}
	}

	@Override
	public NDArray apply(NDArray input) {
		calls++;
		NDArray x = input;
		for (int l = 0; l < weights.length; l++) {
			x = Conv2d.conv2d(reflectPad1(x), weights[l], biases[l]).singletonOrThrow();
			x = l == weights.length - 1 ? x.tanh() : x.maximum(0f);
			if (l == 0 && pooled) x = x.add(blockMeans(x));
		}
		return x;
	}

	/** Each 4×4 block (on the grid starting at 0, 0) replaced by its mean; H and W are multiples of 4. */
	private static NDArray blockMeans(NDArray x) {
		Shape s = x.getShape();
		long c = s.get(1), h = s.get(2), w = s.get(3);
		NDArray means = x.reshape(1, c, h / 4, 4, w / 4, 4).mean(new int[] { 5 }).mean(new int[] { 3 });
		return means.repeat(2, 4).repeat(3, 4);
	}

	int calls() {
		return calls;
	}

	/** torch's {@code ReflectionPad2d(1)} on NCHW: the first and last row/column mirrored without the edge. */
	static NDArray reflectPad1(NDArray x) {
		NDArray rows = NDArrays.concat(new ai.djl.ndarray.NDList(x.get(":, :, 1:2, :"), x, x.get(":, :, -2:-1, :")), 2);
		return NDArrays.concat(new ai.djl.ndarray.NDList(rows.get(":, :, :, 1:2"), rows, rows.get(":, :, :, -2:-1")), 3);
	}

	@Override
	public void close() {
		manager.close();
	}
}
