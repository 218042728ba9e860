package fiji.plugin.derain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** {@code derain run --shard K/N}: the shares of a job array together do exactly what one run does. */
class RunShardTest extends CliTestBase {
	@Test
	void twoShardsTogetherWriteExactlyTheOutputsOfOneRun() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("in"));
		for (int i = 0; i < 5; i++) {
			ColorProcessor cp = new ColorProcessor(14 + i, 9);
			for (int p = 0; p < cp.getPixelCount(); p++) cp.set(p, (int) ((p + 31L * i) * 2654435761L & 0xffffff));
			new FileSaver(new ImagePlus("p", cp)).saveAsPng(dir.resolve("frame_" + i + ".png").toString());
		}
		Path whole = tmp.resolve("whole"), sharded = tmp.resolve("sharded");
		assertEquals(0, derain("run", "--device", "cpu", "--out", whole.toString(), dir.toString()), err());
		// operands in another order, and one file named twice: the shares depend on the sorted, distinct inputs only
		assertEquals(0, derain("run", "--device", "cpu", "--shard", "2/2", "--out", sharded.toString(),
			dir.resolve("frame_4.png").toString(), dir.toString()), err());
		assertTrue(err().contains("shard 2/2: 2 of 5 inputs"), err());
		assertEquals(List.of("frame_1.png", "frame_3.png"), names(sharded));
		assertEquals(0, derain("run", "--device", "cpu", "--shard", "1/2", "--out", sharded.toString(), dir.toString()),
			err());
		assertTrue(err().contains("shard 1/2: 3 of 5 inputs"), err());
		assertTrue(err().contains("3 done"), err());
		assertEquals(names(whole), names(sharded));
		assertEquals(5, names(whole).size());
		for (String n : names(whole))
			assertArrayEquals(Files.readAllBytes(whole.resolve(n)), Files.readAllBytes(sharded.resolve(n)), n);
		// a share beyond the inputs is empty, not an error
		assertEquals(0, derain("run", "--shard", "7/9", "--out", sharded.toString(), dir.toString()), err());
		assertTrue(err().contains("shard 7/9: 0 of 5 inputs"), err());
	}

	@Test
	void aBadShardIsOneLineNamingTheOption() {
		assertEquals(2, derain("run", "--shard", "3/2", "--out", tmp.toString(), "x.png"));
		assertEquals("derain run: --shard K/N needs 1 <= K <= N, got 3/2\n", err());
		assertEquals(2, derain("run", "--shard", "half", "--out", tmp.toString(), "x.png"));
		assertEquals("derain run: --shard must be K/N (share K of N, 1 <= K <= N, e.g. 3/16), got 'half'\n", err());
	}

	private static List<String> names(Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}
}
