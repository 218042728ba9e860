package fiji.plugin.derain.testutil;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Map;

import org.junit.jupiter.api.Test;

class FixturesTest {
	@Test
	void readsNamedSafetensorsWrittenByTheToolsScript() {
		try (NDManager m = NDManager.newBaseManager()) {
			Map<String, NDArray> f = Fixtures.load(m, "smoke.safetensors");
			assertEquals(new Shape(2, 3), f.get("a").getShape());
			assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, f.get("a").toFloatArray());
			assertEquals(7L, f.get("b").toLongArray()[0]);
		}
	}
}
