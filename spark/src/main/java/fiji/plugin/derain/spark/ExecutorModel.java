package fiji.plugin.derain.spark;

import ai.djl.pytorch.jni.JniUtils;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.engine.Engines;
import fiji.plugin.derain.predict.Derainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one model of an executor JVM: opened on the first task that needs it (DJL's engine under the plugin's class
 * loader, as in Fiji), kept for every later task, replaced only when a task asks for another model, device or
 * thread count. Derain calls are serialised on it: libtorch already uses all the executor's cores for one image.
 */
final class ExecutorModel {
	private ExecutorModel() {}

	private static String key;
	private static Derainer derainer;

	/** Runs {@code work} with the executor's model, alone. */
	static synchronized <T> T with(ModelFiles model, String device, int threads, Work<T> work) throws Exception {
		return work.run(open(model, device, threads));
	}

	/** Work on the model; throws with a reason. */
	@FunctionalInterface
	interface Work<T> {
		T run(Derainer derainer) throws Exception;
	}

	private static Derainer open(ModelFiles model, String device, int threads) throws IOException {
		int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
		String k = model.sha256() + "|" + device + "|" + n;
		if (k.equals(key)) return derainer;
		if (derainer != null) derainer.close();
		derainer = null;
		key = null;
		Path folder = model.writeTo(Files.createTempDirectory("fiji-derain-model-"));
		folder.toFile().deleteOnExit();
		Engines.engine();
		JniUtils.setNumThreads(n);
		derainer = Derainer.open(folder, DeviceChoice.parse(device), m -> System.err.println("derain-spark: " + m));
		System.err.println("derain-spark: model " + model.name() + " loaded, " + n + " libtorch thread(s)");
		key = k;
		return derainer;
	}
}
