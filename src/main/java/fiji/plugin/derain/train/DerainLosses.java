package fiji.plugin.derain.train;

import static fiji.plugin.derain.tensor.TorchArrays.atLeast;
import static fiji.plugin.derain.tensor.TorchArrays.atMost;
import static fiji.plugin.derain.tensor.TorchArrays.constant;
import static fiji.plugin.derain.tensor.TorchArrays.divide;
import static fiji.plugin.derain.tensor.TorchArrays.scale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

/**
 * GT-RAIN's training losses as differentiable DJL NDArray operations (DESIGN §2): multi-scale SSIM as in piq,
 * L1, and the rain-robust InfoNCE loss, and their weighted sum. Every method returns a scalar array attached
 * to the manager of its first input; the caller owns it (close the manager of the step).
 */
public final class DerainLosses {
	private DerainLosses() {}

	/** piq's scale weights, finest first. */
	static final double[] MSSSIM_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
	static final int WINDOW = 11;
	static final double SIGMA = 1.5;
	static final double C1 = 0.01 * 0.01;
	static final double C2 = 0.03 * 0.03;
	/** Subtracted from self-similarities so that exp(·) is exactly 0 in float32: the diagonal drops out. */
	private static final double SELF_MASK = 1e4;

	/** Floor of a sample's mean squared error in {@link #psnrPerSample}: caps its PSNR at 100 dB. */
	static final double MSE_FLOOR = 1e-10;
	/**
	 * In {@link #harm}, a rainy input scores at most this (dB): a rain-free input asks for 40 dB, not 100 (a network
	 * returns a photo at 42–48 dB at best here, and a term that asks for more is spent on rain-free inputs).
	 */
	static final double HARM_INPUT_CAP = 40;

	/**
	 * The weighted total and its parts (each an unweighted scalar; a part with weight 0 is not computed, null).
	 * {@code psnr} is the batch's mean PSNR in dB, which the total subtracts; {@code harm} the batch's mean dB by
	 * which an output is worse than its input.
	 */
	public record Terms(NDArray total, NDArray ssim, NDArray l1, NDArray robust, NDArray psnr, NDArray harm) {}

	/**
	 * GT-RAIN's training loss: {@code ssimWeight·(1 − MS-SSIM(out, target)) + l1Weight·L1(out, target)
	 * + robustWeight·InfoNCE(features)}. MS-SSIM is taken on [0, 1] ({@code y·0.5 + 0.5}), L1 on the network's
	 * [-1, 1] values as GT-RAIN's {@code nn.L1Loss()(output_img, target_img)} does. Not in GT-RAIN: {@code
	 * − psnrWeight·meanPsnr(out, target)}, the batch's mean PSNR in dB (a per-sample logarithmic term: an error
	 * costs more on a sample that is already close, so near-clean inputs are not traded for heavy ones), and
	 * {@code harmWeight·harm(out, input, target)}, the mean dB by which outputs are worse than their inputs (a
	 * penalty only where the network makes an image worse, so it holds light rain without slowing heavy).
	 * Weights and τ are the config's.
	 *
	 * @param output network output for the rainy half, (N, 3, H, W) in [-1, 1]
	 * @param target clean images, (N, 3, H, W) in [-1, 1]
	 * @param input the rainy inputs, (N, 3, H, W) in [-1, 1] (read only with a harm weight)
	 * @param features features of the concatenated batch [rainy; clean], (2N, F)
	 */
	public static Terms total(NDArray output, NDArray target, NDArray input, NDArray features, TrainConfig config) {
		double ssimWeight = config.ssimWeight(), l1Weight = config.l1Weight(), robustWeight = config.robustWeight(),
			psnrWeight = config.psnrWeight(), harmWeight = config.harmWeight();
		// weights go in as float: a double scalar times a 0-d float32 array would promote the loss to float64
		NDArray total = output.getManager().zeros(new Shape(), DataType.FLOAT32);
		NDArray ssim = null, l1 = null, robust = null, psnr = null, harm = null;
		if (ssimWeight != 0) {
			ssim = msSsimLoss(scale(output, 0.5).add(0.5), scale(target, 0.5).add(0.5));
			total = total.add(scale(ssim, (float) ssimWeight));
		}
		if (l1Weight != 0) {
			l1 = l1(output, target);
			total = total.add(scale(l1, (float) l1Weight));
		}
		if (robustWeight != 0) {
			robust = rainRobust(features, config.temperature());
			total = total.add(scale(robust, (float) robustWeight));
		}
		if (psnrWeight != 0) {
			psnr = meanPsnr(output, target);
			total = total.sub(scale(psnr, (float) psnrWeight));
		}
		if (harmWeight != 0) {
			harm = harm(output, input, target);
			total = total.add(scale(harm, (float) harmWeight));
		}
		return new Terms(total, ssim, l1, robust, psnr, harm);
	}

	/** {@code 1 − msSsim(x, y)}. */
	public static NDArray msSsimLoss(NDArray x, NDArray y) {
		return msSsim(x, y).neg().add(1);
	}

	/** Mean absolute difference over all elements. */
	public static NDArray l1(NDArray a, NDArray b) {
		return a.sub(b).abs().mean();
	}

	/**
	 * Mean over the batch of each sample's PSNR in dB on [0, 1] values: {@code −10·log10(MSE_n + 1e-10)} with
	 * {@code MSE_n} the mean over the sample's channels and pixels of {@code ((a − b) / 2)²} (the network's [-1, 1]
	 * values halved; data range 1).
	 *
	 * @param a images (N, C, H, W) in [-1, 1]
	 * @param b images of the same shape in [-1, 1]
	 */
	public static NDArray meanPsnr(NDArray a, NDArray b) {
		return psnrPerSample(a, b).mean();
	}

	/** Each sample's PSNR in dB as {@link #meanPsnr} takes it, (N). */
	static NDArray psnrPerSample(NDArray a, NDArray b) {
		NDArray squared = a.sub(b).square();
		NDArray mse = divide(squared.reshape(squared.getShape().get(0), -1).mean(new int[] {1}), 4);
		return scale(mse.add((float) MSE_FLOOR).log10(), -10);
	}

	/**
	 * Mean over the batch of {@code max(0, min(PSNR(input), 50) − PSNR(output))} in dB, PSNRs against
	 * {@code target} as {@link #meanPsnr}: how much worse than its rainy input each output is (0 where it is better).
	 * The input's PSNR is capped at {@value #HARM_INPUT_CAP} dB (a rain-free input would ask for 100).
	 *
	 * @param output network outputs (N, C, H, W) in [-1, 1]
	 * @param input the rainy inputs, same shape
	 * @param target the clean images, same shape
	 */
	public static NDArray harm(NDArray output, NDArray input, NDArray target) {
		NDArray floor = atMost(psnrPerSample(input, target).stopGradient(), HARM_INPUT_CAP);
		return Activation.relu(floor.sub(psnrPerSample(output, target))).mean();
	}

	/**
	 * Multi-scale SSIM exactly as piq's {@code multi_scale_ssim} with its defaults: 5 scales, weights
	 * (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), an 11×11 Gaussian window with σ 1.5 applied without padding,
	 * K = (0.01, 0.03), data range 1. Between scales each image is replicate-padded by one pixel at the top and
	 * left when either side is odd, then 2×2 average-pooled. Per scale the contrast-structure term (the full
	 * SSIM at the coarsest) is averaged over the image, clamped at 0 (ReLU), raised to its weight, multiplied
	 * over the scales, then averaged over channels and batch.
	 *
	 * @param x images (N, C, H, W) in [0, 1], H and W ≥ 161
	 * @param y images of the same shape in [0, 1]
	 * @return scalar in [0, 1]
	 */
	public static NDArray msSsim(NDArray x, NDArray y) {
		Shape s = x.getShape();
		if (s.dimension() != 4 || !s.equals(y.getShape()))
			throw new IllegalArgumentException("MS-SSIM needs two (N, C, H, W) arrays of one shape, got " + s + " and "
				+ y.getShape());
		int minSize = (WINDOW - 1) * (1 << (MSSSIM_WEIGHTS.length - 1)) + 1;
		if (s.get(2) < minSize || s.get(3) < minSize)
			throw new IllegalArgumentException("MS-SSIM needs images of at least " + minSize + "×" + minSize
				+ " pixels (5 scales, 11-pixel window), got " + s.get(3) + "×" + s.get(2));
		int channels = (int) s.get(1);
		NDArray kernel = gaussianKernel(x.getManager(), channels);
		NDArray[] terms = new NDArray[MSSSIM_WEIGHTS.length];
		for (int level = 0; level < MSSSIM_WEIGHTS.length; level++) {
			if (level > 0) {
				boolean odd = x.getShape().get(2) % 2 == 1 || x.getShape().get(3) % 2 == 1;
				x = halve(odd ? padTopLeft(x) : x);
				y = halve(odd ? padTopLeft(y) : y);
			}
			NDArray[] ssimCs = ssimPerChannel(x, y, kernel, channels);
			terms[level] = level == MSSSIM_WEIGHTS.length - 1 ? ssimCs[0] : ssimCs[1];
		}
		NDArray stacked = Activation.relu(NDArrays.stack(new NDList(terms))); // (levels, N, C)
		NDArray weights = constant(x.getManager(), toFloat(MSSSIM_WEIGHTS), new Shape(MSSSIM_WEIGHTS.length, 1, 1));
		return stacked.pow(weights).prod(new int[] {0}).mean();
	}

	/**
	 * SSIM and contrast-structure maps (Gaussian window, no padding), each averaged over the image.
	 *
	 * @return {ssim (N, C), cs (N, C)}
	 */
	private static NDArray[] ssimPerChannel(NDArray x, NDArray y, NDArray kernel, int channels) {
		NDArray muX = blur(x, kernel, channels);
		NDArray muY = blur(y, kernel, channels);
		NDArray muXX = muX.square();
		NDArray muYY = muY.square();
		NDArray muXY = muX.mul(muY);
		NDArray sigmaXX = blur(x.square(), kernel, channels).sub(muXX);
		NDArray sigmaYY = blur(y.square(), kernel, channels).sub(muYY);
		NDArray sigmaXY = blur(x.mul(y), kernel, channels).sub(muXY);
		NDArray cs = scale(sigmaXY, 2).add(C2).div(sigmaXX.add(sigmaYY).add(C2));
		NDArray ss = scale(muXY, 2).add(C1).div(muXX.add(muYY).add(C1)).mul(cs);
		return new NDArray[] {spatialMean(ss), spatialMean(cs)};
	}

	/** Mean over H and W of (N, C, H, W); the PyTorch engine's mean takes one axis at a time. */
	private static NDArray spatialMean(NDArray a) {
		return a.mean(new int[] {3}).mean(new int[] {2});
	}

	/** Depth-wise valid convolution with the Gaussian window. */
	private static NDArray blur(NDArray x, NDArray kernel, int channels) {
		return Conv2d.conv2d(x, kernel, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), channels).head();
	}

	/** Replicates the first row and the first column (piq pads [1, 0, 1, 0] in 'replicate' mode). */
	private static NDArray padTopLeft(NDArray x) {
		NDArray rows = x.get(":, :, 0:1, :").concat(x, 2);
		return rows.get(":, :, :, 0:1").concat(rows, 3);
	}

	/** 2×2 average pooling, stride 2, no padding (odd trailing row/column dropped). */
	private static NDArray halve(NDArray x) {
		return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
	}

	/** piq's {@code gaussian_filter(11, 1.5)} repeated per channel: (C, 1, 11, 11), summing to 1. */
	static NDArray gaussianKernel(NDManager manager, int channels) {
		float[] g = new float[channels * WINDOW * WINDOW];
		double[] k = new double[WINDOW * WINDOW];
		double sum = 0;
		double centre = (WINDOW - 1) / 2.0;
		for (int i = 0; i < WINDOW; i++)
			for (int j = 0; j < WINDOW; j++) {
				double di = i - centre, dj = j - centre;
				k[i * WINDOW + j] = Math.exp(-(di * di + dj * dj) / (2 * SIGMA * SIGMA));
				sum += k[i * WINDOW + j];
			}
		for (int c = 0; c < channels; c++)
			for (int t = 0; t < k.length; t++)
				g[c * k.length + t] = (float) (k[t] / sum);
		return constant(manager, g, new Shape(channels, 1, WINDOW, WINDOW));
	}

	/**
	 * GT-RAIN's rain-robust loss (SimCLR's InfoNCE / NT-Xent with two views): rows are L2-normalised
	 * (norm floored at 1e-12 as {@code F.normalize}), cosine similarities divided by τ; for each of the 2N rows
	 * the cross-entropy of picking its partner (row i ↔ row i ± N) among all other rows (itself excluded).
	 * Mean over the 2N rows.
	 *
	 * @param features (2N, F): the first N rows from the rainy inputs, the last N from the clean ones, same order
	 * @param temperature τ &gt; 0 (GT-RAIN: 0.25)
	 */
	public static NDArray rainRobust(NDArray features, double temperature) {
		Shape s = features.getShape();
		if (s.dimension() != 2 || s.get(0) % 2 != 0 || s.get(0) < 2)
			throw new IllegalArgumentException("rain-robust loss needs features (2N, F) of [rainy; clean], got " + s);
		int rows = (int) s.get(0);
		int half = rows / 2;
		NDManager m = features.getManager();
		NDArray unit = features.div(atLeast(features.norm(new int[] {1}, true), 1e-12));
		NDArray logits = divide(unit.matMul(unit.transpose()), temperature);
		float[] self = new float[rows * rows];
		float[] partner = new float[rows * rows];
		for (int i = 0; i < rows; i++) {
			self[i * rows + i] = (float) SELF_MASK;
			partner[i * rows + (i + half) % rows] = 1;
		}
		logits = logits.sub(constant(m, self, new Shape(rows, rows)));
		NDArray logProb = logits.logSoftmax(1);
		return divide(logProb.mul(constant(m, partner, new Shape(rows, rows))).sum().neg(), rows);
	}

	private static float[] toFloat(double[] d) {
		float[] f = new float[d.length];
		for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
		return f;
	}
}
