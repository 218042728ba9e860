package fiji.plugin.derain.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ShardTest {
	@Test
	void shardsOneToNCoverEveryInputExactlyOnce() {
		for (int inputs : new int[] { 0, 1, 7, 10, 23 }) {
			List<String> all = IntStream.range(0, inputs).mapToObj(i -> String.format("frame_%03d.png", i)).toList();
			for (int n : new int[] { 1, 2, 3, 7, 10, 40 }) {
				Map<String, Integer> seen = new HashMap<>();
				List<Integer> sizes = new ArrayList<>();
				for (int k = 1; k <= n; k++) {
					List<String> share = new Shard(k, n).of(all);
					sizes.add(share.size());
					for (String f : share) seen.merge(f, 1, Integer::sum);
					assertEquals(share, new Shard(k, n).of(all), "deterministic");
				}
				assertEquals(all.size(), seen.size(), inputs + " inputs, " + n + " shards: every input in a share");
				assertTrue(seen.values().stream().allMatch(c -> c == 1), inputs + " inputs, " + n + " shards: once");
				int min = sizes.stream().mapToInt(Integer::intValue).min().orElse(0);
				int max = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
				assertTrue(max - min <= 1, "balanced: " + sizes);
			}
		}
	}

	@Test
	void shareKTakesEveryNthFromTheKth() {
		List<Integer> all = IntStream.range(0, 10).boxed().toList();
		assertEquals(List.of(1, 4, 7), new Shard(2, 3).of(all));
		assertEquals(all, Shard.ALL.of(all));
	}

	@Test
	void parsesKOfNAndRejectsAnythingElseNamingTheOption() {
		assertEquals(new Shard(3, 16), Shard.parse("3/16"));
		assertEquals(new Shard(1, 1), Shard.parse(" 1 / 1 "));
		for (String bad : new String[] { "0/4", "5/4", "1/0", "-1/4", "3", "a/b", "/4", "3/", "", "1/2/3" }) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
			assertTrue(e.getMessage().startsWith("--shard "), e.getMessage());
		}
		assertEquals("--shard K/N needs 1 <= K <= N, got 5/4", assertThrows(IllegalArgumentException.class,
			() -> Shard.parse("5/4")).getMessage());
	}
}
