package fiji.plugin.derain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class EnginesTest {

	@Test
	void loadsPyTorchOfflineAndComputes() {
		assertEquals("PyTorch", Engines.engine().getEngineName());
		assertEquals("true", System.getProperty("ai.djl.offline"));
		try (NDManager manager = Engines.newManager(Device.cpu())) {
			NDArray a = manager.create(new float[] { 1, 2, 3 });
			assertEquals(14f, a.mul(a).sum().getFloat(), 0f);
		}
		assertTrue(Files.isDirectory(Path.of(Engines.nativeLibraryLocation())), Engines.nativeLibraryLocation());
	}

	@Test
	void cpuChoiceGivesTheCpuAndSaysSo() {
		List<String> log = new ArrayList<>();
		assertEquals(Device.cpu(), Engines.select(DeviceChoice.CPU, log::add));
		assertEquals(List.of("Fiji Derain runs on cpu (PyTorch 2.7.1)."), log);
	}

	@Test
	void gpuChoiceWithoutGpuFallsBackToCpuWithAMessage() {
		assumeTrue(Engines.engine().getGpuCount() == 0, "this machine has a CUDA GPU");
		List<String> log = new ArrayList<>();
		assertEquals(Device.cpu(), Engines.select(DeviceChoice.GPU, log::add));
		assertEquals("GPU requested, but DJL found no CUDA GPU: falling back to the CPU.", log.get(0));
		assertEquals(Device.cpu(), Engines.select(DeviceChoice.AUTO, s -> {}));
	}

	@Test
	void pluginClassLoaderIsSetDuringTheTaskAndRestoredAfterAFailure() throws Exception {
		Thread thread = Thread.currentThread();
		ClassLoader original = thread.getContextClassLoader();
		try (URLClassLoader foreign = new URLClassLoader(new URL[0], null)) {
			thread.setContextClassLoader(foreign);
			ClassLoader seen = Engines.withPluginClassLoader(thread::getContextClassLoader);
			assertSame(Engines.class.getClassLoader(), seen);
			assertSame(foreign, thread.getContextClassLoader());
			assertThrows(IOException.class, () -> Engines.withPluginClassLoader(() -> {
				throw new IOException("boom");
			}));
			assertSame(foreign, thread.getContextClassLoader());
		} finally {
			thread.setContextClassLoader(original);
		}
	}

	@Test
	void missingNativeLibrarySaysWhatToInstallWhere() {
		EngineUnavailableException e = Engines.unavailable(new UnsatisfiedLinkError("no torch_cpu"));
		String m = e.getMessage();
		for (String expected : List.of("no torch_cpu", "pytorch-native-cpu-2.7.1-linux-x86_64.jar",
				"about 112 MB", "Fiji.app/jars/", "plugins/jars/", "-Dai.djl.offline=true", "must not download"))
			assertTrue(m.contains(expected), () -> "'" + expected + "' missing from: " + m);
		assertTrue(e.getCause() instanceof UnsatisfiedLinkError);
	}

	/** The jar names and size the message quotes are those of the jars actually used. */
	@Test
	void quotedJarsAreTheOnesOnTheClassPath() throws IOException {
		List<Path> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
				.map(Path::of).toList();
		Path nativeJar = jars.stream().filter(p -> p.getFileName().toString().equals(Engines.NATIVE_JAR))
				.findFirst().orElseThrow(() -> new AssertionError(Engines.NATIVE_JAR + " not on " + jars));
		assertEquals(112, Math.round(Files.size(nativeJar) / 1e6));
		for (String name : Engines.ENGINE_JARS.split(", "))
			assertTrue(jars.stream().anyMatch(p -> p.getFileName().toString().equals(name)), name);
	}
}
