package fiji.plugin.derain.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's native memory, where the C library lets us see and release it.
 * <p>
 * libtorch allocates and frees hundreds of megabytes per training step through the C library's {@code malloc}.
 * glibc keeps what is freed for reuse, in several arenas (one per thread that allocated), and with allocation
 * sizes that vary from step to step its heaps fragment: the process grew by 7–10 MB per step until the machine
 * swapped. {@link #trim()} calls glibc's {@code malloc_trim(0)}, which returns the free pages of every arena to the
 * kernel. It needs no environment variable or {@code LD_PRELOAD} before the JVM starts, so it works inside Fiji
 * and ImageJ as well as on the command line. Elsewhere (macOS, Windows, musl) it does nothing.
 */
public final class NativeMemory {
	private NativeMemory() {}

	/** The glibc entry points used here. */
	private interface Glibc extends Library {
		int malloc_trim(long pad);

		int setenv(String name, String value, int overwrite);
	}

	private static final Glibc GLIBC = loadGlibc();

	private static Glibc loadGlibc() {
		if (!Platform.isLinux()) return null;
		try {
			Glibc c = Native.load("c", Glibc.class);
			c.malloc_trim(0); // fails here, not later, where the C library has no malloc_trim (musl)
			return c;
		} catch (UnsatisfiedLinkError | RuntimeException e) {
			return null;
		}
	}

	/** True where {@link #trim()} can release memory (Linux with glibc). */
	public static boolean canTrim() {
		return GLIBC != null;
	}

	/** Returns freed heap memory to the operating system; true when some was released. */
	public static boolean trim() {
		return GLIBC != null && GLIBC.malloc_trim(0) == 1;
	}

	/**
	 * Asks libtorch to back its large buffers with transparent huge pages ({@code THP_MEM_ALLOC_ENABLE=1}, read
	 * once, at libtorch's first allocation: call before the engine starts; a value the user set is kept). On these
	 * machines the first touch of fresh memory is slow, a page fault per 4 KB: with 2 MB pages a training step of
	 * the default architecture at batch 8, 256² took 17–18 s instead of 21 s (bench/bench_train.sh).
	 */
	public static void preferHugePages() {
		if (GLIBC != null) GLIBC.setenv("THP_MEM_ALLOC_ENABLE", "1", 0);
	}

	/** Resident memory of this process in bytes (VmRSS), or -1 where /proc is not available. */
	public static long residentBytes() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status")))
				if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
		} catch (IOException | RuntimeException e) {
			// not Linux
		}
		return -1;
	}
}
