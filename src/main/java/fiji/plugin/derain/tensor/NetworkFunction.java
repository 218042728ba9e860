package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;

/**
 * An image-to-image network as {@link TiledInference} sees it: a function of one tile.
 * Adapting a DJL block: {@code in -> block.forward(parameterStore, new NDList(in), false).singletonOrThrow()}.
 */
@FunctionalInterface
public interface NetworkFunction {

	/**
	 * @param input float32, NCHW = (1, 3, h, w), values in [-1, 1], h and w multiples of 4; attached to a per-tile
	 *        manager that is closed after the tile
	 * @return (1, 3, h, w) in [-1, 1] (GT-RAIN: tanh output). {@link TiledInference} takes ownership: it attaches the
	 *         array to the tile's manager, so it is closed with the tile; do not keep it
	 */
	NDArray apply(NDArray input);

	/**
	 * The network on a window at ({@code x0}, {@code y0}) of a whole image that is {@code width} × {@code height}
	 * after padding to multiples of 4 (all multiples of 4). Networks whose result depends on the whole image's size
	 * (GT-RAIN's align_corners=True upsampling) override this; the default ignores the placement.
	 */
	default NDArray apply(NDArray input, long x0, long y0, long width, long height) {
		return apply(input);
	}

	/**
	 * The network as a {@link BandedNetwork} (exact over any image, with memory bounded by the band), or null if it
	 * only runs tile by tile. {@link TiledInference} prefers it whenever an image is larger than one tile.
	 */
	default BandedNetwork banded() {
		return null;
	}
}
