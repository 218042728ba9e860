package fiji.plugin.derain.engine;

import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/**
 * Autograd's recording switch. libtorch keeps it per thread, and a new thread starts with it on: DJL turns it off only
 * on the thread that loads the engine. Inference on any other thread (a SciJava command's, a Spark task's) must turn
 * it off itself: on, every op pays autograd's bookkeeping even when no array needs a gradient (a 256x256 forward of
 * the default model: 690 ms on, 430 ms off).
 */
public final class Autograd {
	private Autograd() {}

	/** {@code f} with autograd's recording off on this thread (restored after). */
	public static <T> T unrecorded(Supplier<T> f) {
		boolean recording = JniUtils.isGradMode();
		JniUtils.setGradMode(false);
		try {
			return f.get();
		} finally {
			JniUtils.setGradMode(recording);
		}
	}
}
