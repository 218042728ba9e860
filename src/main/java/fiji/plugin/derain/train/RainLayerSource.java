package fiji.plugin.derain.train;

import java.util.Random;

/**
 * Supplies rain layers for augmentation (the rain synthesizer implements it). A layer is screen-blended onto
 * a rainy patch: {@code I + M − I·M} per channel.
 */
@FunctionalInterface
public interface RainLayerSource {
	/**
	 * A new random rain layer.
	 *
	 * @param width layer width in pixels
	 * @param height layer height in pixels
	 * @param random the run's random stream: draw only from it, so that a seeded run is reproducible and a
	 *        resumed run continues identically
	 * @return {@code width·height} values in [0, 1], row-major ({@code y·width + x}); a new array the caller owns
	 */
	float[] layer(int width, int height, Random random);
}
