package fiji.plugin.derain.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A feature map on disk: bands written and read back in any split, nothing left in the folder. */
class MapFileTest {
	@TempDir
	Path folder;

	@Test
	void bandsReadBackAsWrittenInAnySplit() throws Exception {
		try (NDManager m = NDManager.newBaseManager(); MapFile map = MapFile.create(folder, 3, 10, 5)) {
			NDArray whole = m.arange(0, 150, 1, DataType.FLOAT32).reshape(1, 3, 10, 5);
			map.write(0, whole.get(":, :, 0:4"));
			map.write(4, whole.get(":, :, 4:7"));
			map.write(7, whole.get(":, :, 7:10"));
			assertArrayEquals(whole.toFloatArray(), map.read(m, 0, 10).toFloatArray());
			NDArray band = map.read(m, 3, 8);
			assertEquals(new Shape(1, 3, 5, 5), band.getShape());
			assertArrayEquals(whole.get(":, :, 3:8").toFloatArray(), band.toFloatArray());
		}
	}

	@Test
	void unwrittenRowsAreZero() throws Exception {
		try (NDManager m = NDManager.newBaseManager(); MapFile map = MapFile.create(folder, 2, 6, 4)) {
			map.write(0, m.ones(new Shape(1, 2, 2, 4)));
			float[] v = map.read(m, 1, 4).toFloatArray();
			assertEquals(2 * 3 * 4, v.length);
			assertEquals(1f, v[0]);
			assertEquals(0f, v[4]);
		}
	}

	@Test
	void leavesNoFileBehind() throws Exception {
		try (MapFile map = MapFile.create(folder, 1, 4, 4)) {
			try (Stream<Path> files = Files.list(folder)) {
				assertEquals(0, files.count(), "the map's file is anonymous while open");
			}
		}
		try (Stream<Path> files = Files.list(folder)) {
			assertEquals(0, files.count());
		}
	}

	@Test
	void bandsOutsideTheMapAreRefused() throws Exception {
		try (NDManager m = NDManager.newBaseManager(); MapFile map = MapFile.create(folder, 1, 4, 4)) {
			assertThrows(IllegalArgumentException.class, () -> map.read(m, 2, 5));
			assertThrows(IllegalArgumentException.class, () -> map.write(3, m.zeros(new Shape(1, 1, 2, 4))));
			assertThrows(IllegalArgumentException.class, () -> map.write(0, m.zeros(new Shape(1, 2, 2, 4))));
		}
	}
}
