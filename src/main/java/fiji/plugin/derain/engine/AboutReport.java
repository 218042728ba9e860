package fiji.plugin.derain.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.scijava.util.VersionUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * The text of <i>About Fiji Derain</i>: plugin, DJL and engine versions, devices, the device that
 * would be used, and where libtorch lives. One {@code key: value} per line, so that users can paste
 * it into a bug report and tests can look for {@code engine: PyTorch} and {@code device: cpu}.
 */
public final class AboutReport {
	private AboutReport() {}

	/**
	 * Loads the engine (under the plugin class loader) and describes it. An engine that cannot be
	 * loaded is reported, with what to install, rather than thrown: this is the diagnostic users run.
	 *
	 * @param choice the device the user would ask for
	 * @param log receives the device decision and any fall-back message as it happens
	 */
	public static String build(DeviceChoice choice, Consumer<String> log) {
		StringJoiner out = new StringJoiner("\n");
		out.add("Fiji Derain " + pluginVersion());
		out.add("Java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
				+ ") on " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
		try {
			Engines.withPluginClassLoader(() -> describeEngine(choice, log, out));
		} catch (EngineUnavailableException e) {
			out.add("engine: NOT LOADED");
			out.add("problem: " + e.getMessage());
		}
		return out.toString();
	}

	private static StringJoiner describeEngine(DeviceChoice choice, Consumer<String> log, StringJoiner out) {
		Engine engine = Engines.engine();
		out.add("DJL: " + Engine.getDjlVersion());
		out.add("engine: " + engine.getEngineName() + " " + engine.getVersion());
		out.add("DJL default engine: " + defaultEngine());
		out.add("native library: " + Engines.nativeLibraryLocation());
		out.add("offline: " + System.getProperty("ai.djl.offline"));
		out.add("CUDA GPUs seen by DJL: " + engine.getGpuCount());
		List<String> notes = new ArrayList<>();
		Device device = Engines.select(choice, message -> {
			notes.add(message);
			log.accept(message);
		});
		out.add("device requested: " + choice.id());
		out.add("device: " + Engines.describe(device));
		for (String note : notes)
			out.add("note: " + note);
		return out;
	}

	/**
	 * What {@code Engine.getInstance()} (used by {@code NDManager.newBaseManager()}) gives. "none" means
	 * something touched DJL before the plugin, with a context class loader that could not see the
	 * engine jars; our own code still works because it always names the engine.
	 */
	private static String defaultEngine() {
		try {
			return Engine.getInstance().getEngineName();
		} catch (RuntimeException e) {
			return "none (" + e.getMessage().lines().findFirst().orElse("") + ")";
		}
	}

	private static String pluginVersion() {
		String v = VersionUtils.getVersion(AboutReport.class);
		return v == null ? "(development build, not from a jar)" : v;
	}
}
