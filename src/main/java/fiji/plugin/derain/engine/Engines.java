package fiji.plugin.derain.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtEngineProvider;
import ai.djl.pytorch.jni.LibUtils;

import java.util.function.Consumer;

/**
 * Loads DJL's PyTorch engine the way it must be loaded inside Fiji and ImageJ, and picks the device.
 * <p>
 * Every entry point (command, ImageJ 1.x plugin, script, CLI) runs its engine work inside
 * {@link #withPluginClassLoader(Task)}. DJL finds engines with {@code ServiceLoader} on the thread's
 * context class loader, once, in a static initializer: inside ImageJ 1.x the plugin jars live in
 * ImageJ's own class loader, so a first touch of {@link Engine} with any other context loader leaves
 * DJL with "No deep learning engine found" for the life of the JVM.
 * <p>
 * DJL never downloads anything here: {@code ai.djl.offline} is set to {@code true} before the first
 * touch unless the user set it, and libtorch comes from the {@value #NATIVE_JAR} jar.
 */
public final class Engines {
	private Engines() {}

	/** DJL's name of the engine the plugin runs on. */
	public static final String ENGINE_NAME = "PyTorch";

	/** File name of the jar that carries libtorch (Maven {@code ai.djl.pytorch:pytorch-native-cpu}). */
	public static final String NATIVE_JAR = "pytorch-native-cpu-2.7.1-linux-x86_64.jar";

	/** Size of {@link #NATIVE_JAR} as users see it in a file manager (111,597,418 bytes). */
	public static final String NATIVE_JAR_SIZE = "about 112 MB";

	/** The other two jars DJL's PyTorch engine needs beside {@link #NATIVE_JAR}. */
	public static final String ENGINE_JARS = "pytorch-engine-0.36.0.jar, pytorch-jni-2.7.1-0.36.0.jar";

	private static final String OFFLINE = "ai.djl.offline";

	private static volatile Engine engine;

	/** A piece of work that may throw {@code E}; lambdas that throw nothing infer a runtime type. */
	@FunctionalInterface
	public interface Task<T, E extends Exception> {
		T call() throws E;
	}

	/**
	 * Runs {@code task} with the plugin's class loader as the thread's context class loader, then
	 * restores the previous one. Wrap every first use of DJL in this; nesting is harmless.
	 */
	public static <T, E extends Exception> T withPluginClassLoader(Task<T, E> task) throws E {
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(Engines.class.getClassLoader());
		try {
			return task.call();
		} finally {
			thread.setContextClassLoader(previous);
		}
	}

	/**
	 * The PyTorch engine, loaded on first call (libtorch included, so that a missing native library
	 * fails here and not in the middle of a computation).
	 *
	 * @throws EngineUnavailableException saying which jar to install where
	 */
	public static Engine engine() {
		Engine e = engine;
		if (e != null) return e;
		synchronized (Engines.class) {
			if (engine == null) engine = withPluginClassLoader(Engines::load);
			return engine;
		}
	}

	/** A new base manager on {@code device} of the PyTorch engine; the caller closes it. */
	public static NDManager newManager(Device device) {
		return engine().newBaseManager(device);
	}

	/**
	 * Picks the device for {@code choice} and reports the decision (and any fall-back) to {@code log}.
	 * {@code AUTO} takes GPU 0 when DJL sees a CUDA GPU that the loaded libtorch can allocate on;
	 * {@code GPU} without such a GPU falls back to the CPU and says why.
	 */
	public static Device select(DeviceChoice choice, Consumer<String> log) {
		Engine e = engine();
		Device device;
		if (choice == DeviceChoice.CPU) {
			device = Device.cpu();
		} else {
			GpuProbe gpu = withPluginClassLoader(() -> probeGpu(e));
			device = gpu.device() != null ? gpu.device() : Device.cpu();
			if (gpu.device() == null && choice == DeviceChoice.GPU)
				log.accept("GPU requested, but " + gpu.problem() + ": falling back to the CPU.");
			else if (gpu.device() == null)
				log.accept("No usable GPU (" + gpu.problem() + "): using the CPU.");
		}
		log.accept("Fiji Derain runs on " + describe(device) + " (" + ENGINE_NAME + " " + e.getVersion() + ").");
		return device;
	}

	/** {@code cpu} or {@code gpu N}: the device as reports and logs show it. */
	public static String describe(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : "cpu";
	}

	/** Where libtorch was loaded from (DJL's cache folder, filled from {@value #NATIVE_JAR}). */
	public static String nativeLibraryLocation() {
		engine();
		return LibUtils.getLibtorchPath();
	}

	/** The message for an engine that cannot be loaded; package-private so that tests can check it. */
	static EngineUnavailableException unavailable(Throwable cause) {
		String message = "The " + ENGINE_NAME + " engine could not be loaded (" + cause + ").\n"
				+ "Fiji Derain needs the native library jar " + NATIVE_JAR + " (" + NATIVE_JAR_SIZE + ")"
				+ " together with " + ENGINE_JARS + ": in Fiji put them into Fiji.app/jars/,"
				+ " in plain ImageJ into plugins/jars/, then restart.\n"
				+ "DJL must not download libtorch: Fiji Derain runs it with -D" + OFFLINE + "=true."
				+ " On first use DJL unpacks the jar (about 450 MB) into ~/.djl.ai/pytorch/;"
				+ " delete that folder if it is damaged.";
		return new EngineUnavailableException(message, cause);
	}

	// -- helpers --

	/** Runs with the plugin class loader as context loader (see {@link #engine()}). */
	private static Engine load() {
		if (System.getProperty(OFFLINE) == null) System.setProperty(OFFLINE, "true");
		NativeMemory.preferHugePages();
		try {
			// First touch of Engine: its static initializer runs ServiceLoader on our context loader.
			// If someone else touched DJL first with the wrong loader, register PyTorch by hand so that
			// our code (which always names the engine) still works.
			if (!Engine.hasEngine(ENGINE_NAME)) Engine.registerEngine(new PtEngineProvider());
			Engine e = Engine.getEngine(ENGINE_NAME);
			try (NDManager manager = e.newBaseManager(Device.cpu())) {
				manager.zeros(new Shape(1)); // libtorch is loaded lazily: make it fail here if it must
			}
			return e;
		} catch (RuntimeException | LinkageError e) {
			// EngineException, IllegalArgumentException (engine not found), UnsatisfiedLinkError,
			// NoClassDefFoundError and ExceptionInInitializerError all mean the same to a user.
			throw unavailable(e);
		}
	}

	/** A usable GPU, or null with the reason there is none. */
	private record GpuProbe(Device device, String problem) {}

	private static GpuProbe probeGpu(Engine e) {
		int count = e.getGpuCount();
		if (count == 0) return new GpuProbe(null, "DJL found no CUDA GPU");
		Device gpu = Device.gpu(0);
		try (NDManager manager = e.newBaseManager(gpu)) {
			manager.zeros(new Shape(1));
			return new GpuProbe(gpu, null);
		} catch (RuntimeException | LinkageError ex) {
			// CUDA is there but the libtorch in use cannot use it (e.g. the CPU-only build).
			return new GpuProbe(null, "DJL found " + count + " CUDA GPU(s) but " + ENGINE_NAME + " "
					+ e.getVersion() + " cannot use them (" + ex.getMessage() + ")");
		}
	}
}
