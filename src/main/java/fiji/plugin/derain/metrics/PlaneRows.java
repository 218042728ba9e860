package fiji.plugin.derain.metrics;

/** One channel held as a row-major double array (owned by this object); the MS-SSIM pyramid levels. */
final class PlaneRows implements RowSource {
	private final double[] data;
	private final int width;
	private final int height;

	private PlaneRows(double[] data, int width, int height) {
		this.data = data;
		this.width = width;
		this.height = height;
	}

	/** Copies a source into a new array. */
	static PlaneRows copyOf(RowSource source) {
		int w = source.width();
		int h = source.height();
		if ((long) w * h > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("image is " + w + "×" + h + "; MS-SSIM holds one channel as a"
				+ " Java array, so it needs fewer than 2³¹ pixels per channel: crop or downscale it");
		double[] data = new double[w * h];
		RowSource.Reader reader = source.reader();
		double[] row = new double[w];
		for (int y = 0; y < h; y++) {
			reader.read(y, row);
			System.arraycopy(row, 0, data, y * w, w);
		}
		return new PlaneRows(data, w, h);
	}

	/**
	 * The next MS-SSIM scale exactly as piq builds it: when either side is odd, one row is replicated
	 * on top AND one column on the left (both, even if only one side is odd), then 2×2 average pooling
	 * drops a trailing odd row or column.
	 */
	PlaneRows halved() {
		int pad = (width % 2 == 1 || height % 2 == 1) ? 1 : 0;
		int w = (width + pad) / 2;
		int h = (height + pad) / 2;
		double[] out = new double[w * h];
		for (int y = 0; y < h; y++) {
			int r0 = Math.max(2 * y - pad, 0) * width;
			int r1 = (2 * y + 1 - pad) * width;
			for (int x = 0; x < w; x++) {
				int c0 = Math.max(2 * x - pad, 0);
				int c1 = 2 * x + 1 - pad;
				out[y * w + x] = (data[r0 + c0] + data[r0 + c1] + data[r1 + c0] + data[r1 + c1]) / 4;
			}
		}
		return new PlaneRows(out, w, h);
	}

	@Override
	public int width() {
		return width;
	}

	@Override
	public int height() {
		return height;
	}

	@Override
	public Reader reader() {
		return (y, row) -> System.arraycopy(data, y * width, row, 0, width);
	}
}
