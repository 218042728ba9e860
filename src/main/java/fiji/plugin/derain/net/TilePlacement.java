package fiji.plugin.derain.net;

/**
 * Where a tile lies in the whole (padded) image, so that the network's align_corners=True upsampling samples the
 * grid of the whole image. GT-RAIN upsamples with {@code align_corners=True}, whose sampling positions
 * {@code dst·(in−1)/(out−1)} depend on the size of the whole feature map: a tile upsampled on its own grid is shifted
 * by up to a quarter pixel against the whole image (differences of ~10/255 at edges, however large the overlap).
 * With a placement the decoders use the whole image's grid and tiles agree with the whole-image result.
 *
 * @param x0 tile's left edge in the padded image, a multiple of 4
 * @param y0 tile's top edge in the padded image, a multiple of 4
 * @param width padded whole-image width, a multiple of 4
 * @param height padded whole-image height, a multiple of 4
 */
public record TilePlacement(long x0, long y0, long width, long height) {
	public TilePlacement {
		if (x0 % 4 != 0 || y0 % 4 != 0 || width % 4 != 0 || height % 4 != 0 || x0 < 0 || y0 < 0)
			throw new IllegalArgumentException("tile placement must be non-negative multiples of 4: " + this);
	}
}
