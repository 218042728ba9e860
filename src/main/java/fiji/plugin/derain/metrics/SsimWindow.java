package fiji.plugin.derain.metrics;

import java.util.Arrays;

/**
 * A separable, normalised SSIM window and the constants that go with it. Immutable; {@link #weights()}
 * returns the shared array, which callers must not modify.
 */
final class SsimWindow {
	private final double[] weights;
	private final double covarianceScale;
	private final double c1;
	private final double c2;
	private final String description;

	private SsimWindow(double[] weights, double covarianceScale, double dataRange, String description) {
		this.weights = weights;
		this.covarianceScale = covarianceScale;
		this.c1 = Math.pow(0.01 * dataRange, 2);
		this.c2 = Math.pow(0.03 * dataRange, 2);
		this.description = description;
	}

	/**
	 * scipy.ndimage's Gaussian (exp(−x²/2σ²) at integer offsets, normalised to sum 1) with population
	 * covariance. Its 2-D outer product is also piq's {@code gaussian_filter(size, sigma)}.
	 */
	static SsimWindow gaussian(int size, double sigma, double dataRange) {
		int radius = size / 2;
		double[] w = new double[size];
		double sum = 0;
		for (int i = 0; i < size; i++) {
			double x = i - radius;
			w[i] = Math.exp(-0.5 * x * x / (sigma * sigma));
			sum += w[i];
		}
		for (int i = 0; i < size; i++)
			w[i] /= sum;
		return new SsimWindow(w, 1.0, dataRange, size + "×" + size + " Gaussian window, σ " + sigma);
	}

	/** scikit-image's default: a uniform window with sample covariance (N/(N−1), N = size²). */
	static SsimWindow uniform(int size, double dataRange) {
		double[] w = new double[size];
		Arrays.fill(w, 1.0 / size);
		double n = (double) size * size;
		return new SsimWindow(w, n / (n - 1), dataRange, size + "×" + size + " uniform window");
	}

	/** Side length of the (square) window. */
	int size() {
		return weights.length;
	}

	double[] weights() {
		return weights;
	}

	/** 1 for population covariance, N/(N−1) for sample covariance. */
	double covarianceScale() {
		return covarianceScale;
	}

	double c1() {
		return c1;
	}

	double c2() {
		return c2;
	}

	@Override
	public String toString() {
		return description;
	}
}
