package fiji.plugin.derain.metrics;

/**
 * The streaming SSIM pass over one channel pair. It averages the SSIM and contrast-structure (cs) maps
 * over the "valid" window positions (windows entirely inside the image) and, in the same read of the
 * pixels, sums the squared error for PSNR.
 * <p>
 * Memory is O(window × width) per strip: each strip filters its input rows horizontally into a ring
 * of {@code window} rows, and filters that ring vertically for each output row. All arithmetic is in
 * double.
 */
final class WindowedSsim {
	/** Means over one channel: SSIM map, cs map, and the squared error over all pixels. */
	record Means(double ssim, double cs, double squaredError) {}

	// Indices of the five windowed moments in the per-quantity buffers.
	private static final int X = 0, Y = 1, XX = 2, YY = 3, XY = 4, MOMENTS = 5;

	private WindowedSsim() {}

	/**
	 * @throws IllegalArgumentException when the window does not fit in the image
	 */
	static Means compute(RowSource x, RowSource y, SsimWindow window) {
		int width = x.width();
		int height = x.height();
		int size = window.size();
		if (width < size || height < size)
			throw new IllegalArgumentException("image is " + width + "×" + height + "; SSIM needs at least "
				+ size + "×" + size + " pixels (" + window + ")");
		int outRows = height - size + 1;
		int outCols = width - size + 1;
		double[] sums = Strips.sum(outRows, (from, to, last) -> strip(x, y, window, from, to, last));
		double windows = (double) outRows * outCols;
		return new Means(sums[0] / windows, sums[1] / windows, sums[2] / ((double) width * height));
	}

	/**
	 * Output rows [from, to) need input rows [from, to + size − 1). Squared error is summed over input
	 * rows [from, to), and to the bottom of the image in the last strip, so each row counts once.
	 */
	private static double[] strip(RowSource xs, RowSource ys, SsimWindow window, int from, int to,
		boolean last)
	{
		int width = xs.width();
		int size = window.size();
		int outCols = width - size + 1;
		double[] w = window.weights();
		RowSource.Reader xr = xs.reader();
		RowSource.Reader yr = ys.reader();
		double[][] in = new double[MOMENTS][width];
		double[][][] ring = new double[MOMENTS][size][outCols];
		double[][] moments = new double[MOMENTS][outCols];
		double ssimSum = 0, csSum = 0, squaredError = 0;
		int errorEnd = last ? xs.height() : to;
		for (int row = from; row < to + size - 1; row++) {
			xr.read(row, in[X]);
			yr.read(row, in[Y]);
			for (int i = 0; i < width; i++) {
				double a = in[X][i], b = in[Y][i];
				in[XX][i] = a * a;
				in[YY][i] = b * b;
				in[XY][i] = a * b;
			}
			if (row < errorEnd) squaredError += squaredError(in[X], in[Y]);
			int slot = row % size;
			for (int q = 0; q < MOMENTS; q++)
				filterRow(in[q], w, ring[q][slot]);
			int out = row - size + 1;
			if (out < from) continue;
			for (int q = 0; q < MOMENTS; q++)
				filterColumn(ring[q], w, out, moments[q]);
			double[] pair = ssimRow(moments, window);
			ssimSum += pair[0];
			csSum += pair[1];
		}
		return new double[] {ssimSum, csSum, squaredError};
	}

	/** Σ (a[i] − b[i])² over the whole arrays. */
	static double squaredError(double[] a, double[] b) {
		double sum = 0;
		for (int i = 0; i < a.length; i++) {
			double d = a[i] - b[i];
			sum += d * d;
		}
		return sum;
	}

	/** dst[j] = Σ_k w[k]·src[j + k]; tap-outer so that the JIT can vectorise the column loop. */
	private static void filterRow(double[] src, double[] w, double[] dst) {
		int n = dst.length;
		double w0 = w[0];
		for (int j = 0; j < n; j++)
			dst[j] = w0 * src[j];
		for (int k = 1; k < w.length; k++) {
			double wk = w[k];
			for (int j = 0; j < n; j++)
				dst[j] += wk * src[j + k];
		}
	}

	/** dst[j] = Σ_k w[k]·(row out + k)[j], where input row r sits in ring slot r mod size. */
	private static void filterColumn(double[][] ring, double[] w, int out, double[] dst) {
		int size = w.length;
		int n = dst.length;
		double[] first = ring[out % size];
		double w0 = w[0];
		for (int j = 0; j < n; j++)
			dst[j] = w0 * first[j];
		for (int k = 1; k < size; k++) {
			double[] src = ring[(out + k) % size];
			double wk = w[k];
			for (int j = 0; j < n; j++)
				dst[j] += wk * src[j];
		}
	}

	/** Sums of the SSIM and cs maps along one output row, from its windowed moments. */
	private static double[] ssimRow(double[][] m, SsimWindow window) {
		double scale = window.covarianceScale();
		double c1 = window.c1(), c2 = window.c2();
		double ssimSum = 0, csSum = 0;
		double[] mx = m[X], my = m[Y], mxx = m[XX], myy = m[YY], mxy = m[XY];
		for (int j = 0; j < mx.length; j++) {
			double ux = mx[j], uy = my[j];
			double vx = scale * (mxx[j] - ux * ux);
			double vy = scale * (myy[j] - uy * uy);
			double vxy = scale * (mxy[j] - ux * uy);
			double cs = (2 * vxy + c2) / (vx + vy + c2);
			double luminance = (2 * ux * uy + c1) / (ux * ux + uy * uy + c1);
			ssimSum += luminance * cs;
			csSum += cs;
		}
		return new double[] {ssimSum, csSum};
	}
}
