package fiji.plugin.derain.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.function.BooleanSupplier;

/**
 * A network that runs over a whole image in full-width row bands, one layer (or a short run of layers) at a time,
 * keeping every layer's whole output on disk rather than in memory, so that the result equals the whole-image pass
 * whatever the band size, for any weights, with memory bounded by the band. GT-RAIN's deformable convs read wherever
 * their learned offsets point: a band of one deformable conv's output reads the rows of the previous layer's whole
 * output that its samples reach.
 */
public interface BandedNetwork {

	/** The network's input, a (padded) image in [-1, 1]. */
	@FunctionalInterface
	interface Input {
		/** Rows {@code [y0, y1)} as (1, 3, y1 − y0, width), attached to {@code manager}. */
		NDArray rows(NDManager manager, long y0, long y1);
	}

	/** Receives the output (1, 3, n, width) in [-1, 1], band by band from the top; the band is closed afterwards. */
	@FunctionalInterface
	interface Output {
		void rows(NDArray band, long y0);
	}

	/**
	 * Runs the network over an image of {@code width} × {@code height} (multiples of 4).
	 *
	 * @param manager parent of the per-band managers (its device runs the bands); not closed
	 * @param bandRows full-resolution rows per band, a multiple of 8 (the memory bound: about {@code bandRows ×
	 *        width} pixels' activations at a time)
	 * @param progress told (finished bands, total bands) over all layers
	 * @throws java.util.concurrent.CancellationException when {@code cancelled} says so before a band
	 * @throws java.io.UncheckedIOException when the layers' outputs cannot be kept on disk
	 */
	void run(NDManager manager, long width, long height, long bandRows, Input input, Output output,
		TiledInference.Progress progress, BooleanSupplier cancelled);
}
