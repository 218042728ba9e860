package fiji.plugin.derain.net;

import fiji.plugin.derain.tensor.TorchArrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Map;

/**
 * {@code init identity}: GT-RAIN's network, under its own layers and names, set so that the untrained network
 * returns its input (within about 0.05 on [-1, 1]; 42–48 dB), so that training starts from "leave the photo alone" and learns only
 * what to change (from scratch it needs thousands of steps to give back even a clean photo). The same construction
 * as {@code tools/make_identity_init.py} (tools/TRAINING_LOG.md, session 8):
 * <ul>
 * <li>every BatchNorm is the identity (weight 1, bias 0, running mean 0, variance 1): train with frozen BatchNorm;</li>
 * <li>the encoder's first two convs carry each colour x as a channel pair (+x, −x): after LeakyReLU (slope s) the
 * pair's difference is (1 + s)·x, so x passes every later conv linearly;</li>
 * <li>the last decoder conv reads the pairs from its skip input and writes them again, plus per colour six hinge
 * channels LeakyReLU(±x − t) (knots {@link #KNOTS}, their bias from BatchNorm's shift) that the output conv sums
 * into a piecewise-linear atanh, so that its tanh gives x back;</li>
 * <li>the residual blocks' second deformable convs start at 0 (each block is the identity), the decoder conv's
 * weights on the deep path are 100 times smaller; everything else is Kaiming-normal.</li>
 * </ul>
 */
final class IdentityInit {
	private IdentityInit() {}

	/** Hinge knots per colour on each side, in [-1, 1] units. */
	static final double[] KNOTS = {0.55, 0.8, 0.93};
	static final int HINGES = 2 * KNOTS.length;
	/** Channels the identity takes in the first and last convs: per colour a pair and the hinges. */
	static final int CHANNELS = 3 * (2 + HINGES);
	/** Scale of the decoder's deep-path weights at the start. */
	static final float DEEP_PATH = 0.01f;

	static void apply(DerainNet net, NDManager manager) {
		Map<String, NDArray> state = net.stateDict();
		int ngf = net.config().ngf();
		float k = 1f / (1 + ActivationBlock.LEAKY_SLOPE); // turns a pair's difference back into x
		state.forEach((name, array) -> {
			if (name.endsWith(".running_var")) TorchArrays.copyInto(array, array.onesLike());
			else if (name.endsWith(".running_mean") || name.endsWith(".num_batches_tracked")
				|| name.matches(".*\\.conv_block\\.5\\.regular_conv\\.weight"))
				TorchArrays.copyInto(array, array.zerosLike());
			else if (isNormAffine(name, state)) {
				boolean weight = name.endsWith(".weight");
				TorchArrays.copyInto(array, weight ? array.onesLike() : array.zerosLike());
			}
		});
		Weights first = new Weights(state.get("initial_conv.0.conv.1.weight"));
		Weights second = new Weights(state.get("initial_conv.1.conv.1.weight"));
		Weights dec = new Weights(state.get("upsample_1.conv.conv.1.weight"));
		Weights decShift = new Weights(state.get("upsample_1.conv.conv.2.bias"));
		Weights out = new Weights(state.get("output_conv_naive.1.weight"));
		Weights outBias = new Weights(state.get("output_conv_naive.1.bias"));
		double[] coef = atanhFit();
		for (int o = 0; o < 6; o++) {
			first.zeroRow(o);
			second.zeroRow(o);
		}
		for (int o = 0; o < ngf; o++)
			for (int i = 0; i < ngf; i++) dec.scaleKernel(o, i, DEEP_PATH);
		out.fill(0);
		outBias.fill(0);
		for (int c = 0; c < 3; c++) {
			first.set(c, c, 3, 3, 1);
			first.set(3 + c, c, 3, 3, -1);
			second.set(c, c, 1, 1, k);
			second.set(c, 3 + c, 1, 1, -k);
			second.set(3 + c, c, 1, 1, -k);
			second.set(3 + c, 3 + c, 1, 1, k);
			int base = 6 + c * HINGES;
			// the pair and the hinges read only x from the skip input
			int[] rows = new int[2 + HINGES];
			rows[0] = c;
			rows[1] = 3 + c;
			for (int j = 0; j < HINGES; j++) rows[2 + j] = base + j;
			for (int row : rows)
				for (int i = ngf; i < 2 * ngf; i++) dec.scaleKernel(row, i, 0);
			dec.set(c, ngf + c, 1, 1, k);
			dec.set(c, ngf + 3 + c, 1, 1, -k);
			dec.set(3 + c, ngf + c, 1, 1, -k);
			dec.set(3 + c, ngf + 3 + c, 1, 1, k);
			for (int j = 0; j < HINGES; j++) {
				float sign = j < KNOTS.length ? 1 : -1;
				dec.set(base + j, ngf + c, 1, 1, sign * k);
				dec.set(base + j, ngf + 3 + c, 1, 1, -sign * k);
				decShift.data[base + j] = (float) -KNOTS[j % KNOTS.length];
			}
			out.set(c, c, 1, 1, (float) coef[0] * k);
			out.set(c, 3 + c, 1, 1, (float) -coef[0] * k);
			for (int j = 0; j < HINGES; j++) out.set(c, base + j, 1, 1, (float) coef[1 + j]);
			outBias.data[c] = (float) coef[coef.length - 1];
		}
		for (Weights w : new Weights[] {first, second, dec, decShift, out, outBias}) w.store(manager);
	}

	/** A BatchNorm layer's weight or bias: a name whose layer also has running statistics. */
	private static boolean isNormAffine(String name, Map<String, NDArray> state) {
		int dot = name.lastIndexOf('.');
		return (name.endsWith(".weight") || name.endsWith(".bias"))
			&& state.containsKey(name.substring(0, dot) + ".running_mean");
	}

	private static float lrelu(double v) {
		return (float) (v > 0 ? v : ActivationBlock.LEAKY_SLOPE * v);
	}

	/**
	 * Coefficients (x, the hinges bright then dark, bias) of the pre-tanh sum that best gives back x after tanh:
	 * least squares against atanh(x) on 4001 points of [-0.999, 0.999], weighted by 1 − x² (the slope of tanh).
	 */
	static double[] atanhFit() {
		int n = 4001, m = 2 + HINGES;
		double[][] normal = new double[m][m + 1]; // [AᵀWA | AᵀWy], W = (1 − x²)²
		double[] row = new double[m];
		for (int p = 0; p < n; p++) {
			double x = -0.999 + 1.998 * p / (n - 1), w = (1 - x * x) * (1 - x * x);
			hingeRow(x, row);
			double y = 0.5 * Math.log((1 + x) / (1 - x));
			for (int a = 0; a < m; a++) {
				for (int b = 0; b < m; b++) normal[a][b] += w * row[a] * row[b];
				normal[a][m] += w * row[a] * y;
			}
		}
		return solve(normal);
	}

	/** The regressors at x: x, LeakyReLU(x − t) per knot, LeakyReLU(−x − t) per knot, 1. */
	static void hingeRow(double x, double[] row) {
		row[0] = x;
		for (int j = 0; j < KNOTS.length; j++) {
			row[1 + j] = lrelu(x - KNOTS[j]);
			row[1 + KNOTS.length + j] = lrelu(-x - KNOTS[j]);
		}
		row[row.length - 1] = 1;
	}

	/** Gauss–Jordan elimination with partial pivoting of an augmented m × (m + 1) system. */
	private static double[] solve(double[][] a) {
		int m = a.length;
		for (int col = 0; col < m; col++) {
			int pivot = col;
			for (int r = col + 1; r < m; r++)
				if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
			double[] t = a[col];
			a[col] = a[pivot];
			a[pivot] = t;
			for (int r = 0; r < m; r++) {
				if (r == col) continue;
				double f = a[r][col] / a[col][col];
				for (int c = col; c <= m; c++) a[r][c] -= f * a[col][c];
			}
		}
		double[] x = new double[m];
		for (int r = 0; r < m; r++) x[r] = a[r][m] / a[r][r];
		return x;
	}

	/** A parameter's values as a float array, edited in Java and written back into the live array. */
	private static final class Weights {
		final NDArray target;
		final float[] data;
		final long[] shape;

		Weights(NDArray target) {
			this.target = target;
			this.data = target.toFloatArray();
			this.shape = target.getShape().getShape();
		}

		private int index(int o, int i, int y, int x) {
			return (int) (((o * shape[1] + i) * shape[2] + y) * shape[3] + x);
		}

		void set(int o, int i, int y, int x, float v) {
			data[index(o, i, y, x)] = v;
		}

		void scaleKernel(int o, int i, float factor) {
			int from = index(o, i, 0, 0), taps = (int) (shape[2] * shape[3]);
			for (int t = 0; t < taps; t++) data[from + t] *= factor;
		}

		void zeroRow(int o) {
			int size = data.length / (int) shape[0];
			java.util.Arrays.fill(data, o * size, (o + 1) * size, 0f);
		}

		void fill(float v) {
			java.util.Arrays.fill(data, v);
		}

		void store(NDManager manager) {
			try (NDArray values = manager.create(data, new Shape(shape))) {
				TorchArrays.copyInto(target, values.toType(DataType.FLOAT32, false));
			}
		}
	}
}
