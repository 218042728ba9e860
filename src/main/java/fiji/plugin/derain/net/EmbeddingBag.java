package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * libtorch's {@code embedding_bag} in sum mode with one weight per sample: row b of the result is
 * {@code Σ_k weights[b, k] · table[index[b, k]]}, gathered, weighted and summed in one pass without materialising
 * the gathered rows (what torchvision's deformable conv kernel does in C++). DJL's JNI has no binding for the op, so
 * it runs as a one-line TorchScript function that {@code tools/make_embedding_bag.py} writes and the jar ships
 * ({@code embedding_bag.pt}: no weights, built by this project; models are never loaded this way). Differentiable
 * with respect to the table and the weights.
 */
final class EmbeddingBag {
	private static final String RESOURCE = "embedding_bag.pt";
	private static PtSymbolBlock function;

	private EmbeddingBag() {
	}

	/**
	 * @param table (rows, C)
	 * @param index (B, K) int64, every value a row of the table
	 * @param weights (B, K)
	 * @return (B, C), in the manager of {@code table}
	 */
	static NDArray sum(NDArray table, NDArray index, NDArray weights) {
		// "training" only means: no inference-mode guard around the call (its outputs could never be recorded later,
		// e.g. by gradient checkpointing); whether autograd records is the caller's grad mode, as for any other op
		return IValueUtils.forward(function(), new NDList(table, index, weights), true).singletonOrThrow();
	}

	private static synchronized PtSymbolBlock function() {
		if (function == null) {
			// lives as long as the engine: the JVM's base manager, never closed
			PtNDManager owner = (PtNDManager) NDManager.newBaseManager("PyTorch");
			try (InputStream in = EmbeddingBag.class.getResourceAsStream(RESOURCE)) {
				if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the plugin jar");
				function = JniUtils.loadModule(owner, in, true, false);
			} catch (IOException e) {
				throw new UncheckedIOException("cannot read " + RESOURCE + " from the plugin jar", e);
			}
		}
		return function;
	}
}
