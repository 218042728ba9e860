package fiji.plugin.derain.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import net.imglib2.img.array.ArrayImgs;

import org.junit.jupiter.api.Test;

/** Which failures make {@link TiledInference} retry with smaller tiles: allocation failures only. */
class OutOfMemoryRetryTest {
	@Test
	void libtorchAllocationFailuresAreOutOfMemory() {
		for (String message : new String[] {"CUDA out of memory. Tried to allocate 2.00 GiB",
			"[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate"
				+ " 17179869184 bytes.",
			"DefaultCPUAllocator: can't allocate memory: you tried to allocate 8 bytes. Error code 12 (Cannot allocate"
				+ " memory)", "MPS backend out of memory"})
			assertTrue(TiledInference.isOutOfMemory(new EngineException(message)), message);
		assertTrue(TiledInference.isOutOfMemory(new RuntimeException(new OutOfMemoryError("Java heap space"))));
	}

	@Test
	void otherEngineErrorsAreNot() {
		for (String message : new String[] {"index -9223372036854775808 is out of bounds for dimension 0 with size 182",
			"The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1", ""})
			assertFalse(TiledInference.isOutOfMemory(new EngineException(message)), message);
		assertFalse(TiledInference.isOutOfMemory(new EngineException((String) null)));
	}

	@Test
	void anEngineErrorThatIsNotAnAllocationFailureIsRethrownAtOnceWithoutRetries() {
		EngineException broken = new EngineException("index -9223372036854775808 is out of bounds for dimension 0");
		AtomicInteger calls = new AtomicInteger();
		List<String> log = new ArrayList<>();
		try (NDManager manager = NDManager.newBaseManager()) {
			TiledInference inference = TiledInference.builder().setManager(manager).setNetwork(input -> {
				calls.incrementAndGet();
				throw broken;
			}).optTileSize(128).optLog(log::add).build();
			assertSame(broken, assertThrows(EngineException.class,
				() -> inference.run(ArrayImgs.floats(300, 200, 3), ArrayImgs.floats(300, 200, 3))));
		}
		assertEquals(1, calls.get(), "no retry with smaller tiles");
		assertTrue(log.stream().noneMatch(l -> l.contains("Out of memory")), log.toString());
	}
}
