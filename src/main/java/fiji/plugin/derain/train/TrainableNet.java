package fiji.plugin.derain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;

import java.util.Map;

/**
 * What the trainer needs from the network; {@code DerainNet} is adapted to it (a few lines) so that a
 * signature difference stays a small fix.
 */
public interface TrainableNet {
	/**
	 * Forward pass.
	 *
	 * @param input one array x, (N, 3, H, W) in [-1, 1], H and W multiples of 4
	 * @param training true: BatchNorm uses and updates batch statistics
	 * @return [image (N, 3, H, W) tanh output, features (N, F)]
	 */
	NDList forward(NDList input, boolean training);

	/**
	 * The forward pass of a training step, inside the step's gradient collector; the step back-propagates its loss
	 * with {@link Pass#backward}. A network may record less than the whole graph here and recompute the rest in
	 * {@code backward} (gradient checkpointing); the gradients are the same. By default: {@link #forward}, and
	 * backward is the collector's.
	 */
	default Pass forwardTraining(NDArray input, boolean training) {
		return new Pass(forward(new NDList(input), training), GradientCollector::backward);
	}

	/** A recorded training forward pass: its outputs ([image, features]) and how to back-propagate through it. */
	record Pass(NDList outputs, Backward backward) {
		/** Adds d loss / d parameter to every parameter's gradient. Call once, inside the same collector. */
		public void backward(GradientCollector collector, NDArray loss) {
			backward.run(collector, loss);
		}
	}

	/** Back-propagation of a pass. */
	interface Backward {
		void run(GradientCollector collector, NDArray loss);
	}

	/**
	 * Trainable parameters by GT-RAIN state-dict name: the live arrays (they require gradients and are updated
	 * in place by the optimizer). BatchNorm running statistics are not parameters.
	 */
	Map<String, NDArray> parameters();

	/** The full state dict (parameters and BatchNorm buffers), as copies or live arrays; not modified. */
	Map<String, NDArray> stateDict();

	/** Replaces all weights and buffers with {@code state} (copied into the network). */
	void loadStateDict(Map<String, NDArray> state);
}
