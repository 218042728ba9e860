package fiji.plugin.derain.spark;

import ai.djl.pytorch.jni.JniUtils;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.engine.Engines;
import fiji.plugin.derain.predict.Derainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one model of an executor JVM: opened on the first task that needs it (DJL's engine under the plugin's class
 * loader, as in Fiji), kept for every later task, replaced only when a task asks for another model, device or
 * thread count. Derain calls are serialised on one engine thread: libtorch already uses all the executor's cores for
 * one image.
 */
final class ExecutorModel {
	private ExecutorModel() {}

	private static String key;
	private static Derainer derainer;

	/**
	 * The one thread that loads the model and runs every derain of this JVM. libtorch keeps state per thread (the
	 * autograd switch, its OpenMP team, warmed-up kernels); Spark runs tasks on threads of a growing pool, and each
	 * new thread paid a slow first image.
	 */
	private static final ExecutorService ENGINE_THREAD = Executors.newSingleThreadExecutor(r -> {
		Thread t = new Thread(r, "fiji-derain-engine");
		t.setDaemon(true);
		return t;
	});

	/** Runs {@code work} with the executor's model, alone, on the engine thread; waits for it. */
	static <T> T with(ModelFiles model, String device, int threads, Work<T> work) throws Exception {
		Future<T> done = ENGINE_THREAD.submit(() -> work.run(open(model, device, threads)));
		try {
			return done.get();
		} catch (ExecutionException e) {
			if (e.getCause() instanceof Exception x) throw x;
			if (e.getCause() instanceof Error x) throw x;
			throw e;
		}
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
