package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.function.UnaryOperator;

/**
 * The second move of gradient checkpointing (the first, running a piece of the network unrecorded, is
 * {@link fiji.plugin.derain.engine.Autograd#unrecorded}): record it again from its saved input and back-propagate a
 * given gradient through it.
 */
final class Recompute {
	private Recompute() {}

	/**
	 * Records {@code f} from a leaf alias of {@code x}, back-propagates {@code upstream} (the gradient of f's output)
	 * through it — {@code sum(f(x) ⊙ upstream)} has exactly that gradient — which adds f's parameters' gradients,
	 * and returns the gradient of {@code x}, in the manager of {@code upstream}. Everything recorded is freed
	 * before returning. Call inside a gradient collector.
	 */
	static NDArray backpropagate(GradientCollector collector, UnaryOperator<NDArray> f, NDArray x, NDArray upstream) {
		NDManager m = upstream.getManager();
		try (NDManager recorded = m.newSubManager()) {
			NDArray leaf = leaf(x);
			leaf.attach(recorded);
			collector.backward(f.apply(leaf).mul(upstream).sum());
			NDArray gradient = leaf.getGradient();
			gradient.attach(m);
			return gradient;
		}
	}

	/** A detached alias of {@code a} that requires a gradient: a leaf of the graph recorded from here on. */
	static NDArray leaf(NDArray a) {
		NDArray l = a.stopGradient();
		l.setRequiresGradient(true);
		return l;
	}
}
