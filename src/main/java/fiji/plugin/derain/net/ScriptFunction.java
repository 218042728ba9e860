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
 * A libtorch op that DJL's JNI does not bind, run as a one-line TorchScript function that
 * {@code tools/make_script_functions.py} writes and the jar ships (no weights, built by this project; models are never
 * loaded this way). Differentiable like any other op: whether autograd records is the caller's grad mode.
 */
enum ScriptFunction {
	/**
	 * libtorch's {@code embedding_bag} in sum mode with one weight per sample: {@code (table (rows, C), index (B, K)
	 * int32 or int64, weights (B, K))} → (B, C), row b = {@code Σ_k weights[b, k] · table[index[b, k]]}, gathered,
	 * weighted and summed in one pass without materialising the gathered rows (what torchvision's deformable conv
	 * kernel does in C++).
	 */
	EMBEDDING_BAG("embedding_bag.pt"),
	/**
	 * The gradients of {@link #EMBEDDING_BAG}'s result with respect to its table and weights: {@code (grad (B, C),
	 * table (rows, C), index (B, K), weights (B, K))} → [(rows, C), (B, K)] ({@link #applyAll}). The table's is
	 * an embedding_bag over {@code grad} with the entries sorted by row (a fixed order): libtorch's fast forward
	 * kernel, 2.5× faster here than its own backward at the training's sizes, with the same values.
	 */
	EMBEDDING_BAG_BACKWARD("embedding_bag_backward.pt"),
	/**
	 * libtorch's bilinear ×2 upsampling of the last two axes with align_corners=True: {@code (x (N, C, H, W))} →
	 * (N, C, 2H, 2W), GT-RAIN's {@code nn.Upsample} kernel itself (NetBenchmark, ngf 64, 256²: the decoder's two upsamplings
	 * 0.161 s as gathers, 0.047 s so).
	 */
	UPSAMPLE_2X("upsample2x.pt"),
	/** libtorch's linear ×2 upsampling of the last axis with align_corners=True: {@code (x (N, C, L))} → (N, C, 2L). */
	UPSAMPLE_LAST_AXIS_2X("upsample_last_axis2x.pt"),
	/**
	 * libtorch's reflection padding of the last two axes: {@code (x (N, C, H, W), pad (one int64, < H and < W))} →
	 * (N, C, H + 2·pad, W + 2·pad), mirrored without repeating the edge.
	 */
	REFLECTION_PAD("reflection_pad.pt");

	private final String resource;
	private PtSymbolBlock function;

	ScriptFunction(String resource) {
		this.resource = resource;
	}

	/** The function's result, in the manager of the first argument. */
	NDArray apply(NDArray... arguments) {
		return applyAll(arguments).singletonOrThrow();
	}

	/** The function's results (a function that returns a tuple), in the manager of the first argument. */
	NDList applyAll(NDArray... arguments) {
		// "training" only means: no inference-mode guard around the call (its outputs could never be recorded later,
		// e.g. by gradient checkpointing); whether autograd records is the caller's grad mode, as for any other op
		NDList list = new NDList(arguments.length);
		for (NDArray a : arguments) list.add(unnamed(a));
		return IValueUtils.forward(function(), list, true);
	}

	/**
	 * DJL passes an array whose name holds a dot (a parameter's, e.g.) as an entry of a dict, not as a tensor argument:
	 * such an array goes as an unnamed view of itself.
	 */
	private static NDArray unnamed(NDArray a) {
		return a.getName() == null || !a.getName().contains(".") ? a : a.reshape(a.getShape());
	}

	private synchronized PtSymbolBlock function() {
		if (function == null) {
			// lives as long as the engine: the JVM's base manager, never closed
			PtNDManager owner = (PtNDManager) NDManager.newBaseManager("PyTorch");
			try (InputStream in = ScriptFunction.class.getResourceAsStream(resource)) {
				if (in == null) throw new IllegalStateException(resource + " is missing from the plugin jar");
				function = JniUtils.loadModule(owner, in, true, false);
			} catch (IOException e) {
				throw new UncheckedIOException("cannot read " + resource + " from the plugin jar", e);
			}
		}
		return function;
	}
}
