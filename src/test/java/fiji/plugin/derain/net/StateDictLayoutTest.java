package fiji.plugin.derain.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class StateDictLayoutTest {
	@Test
	void gtrainDefaultsHaveThePublishedParameterCount() {
		assertEquals(12_901_993L, StateDictLayout.trainableCount(DerainConfig.GTRAIN));
	}

	@Test
	void namesFollowGtrain() {
		Map<String, long[]> l = StateDictLayout.of(DerainConfig.GTRAIN);
		assertArrayEquals(new long[] {64, 3, 7, 7}, l.get("initial_conv.0.conv.1.weight"));
		assertArrayEquals(new long[] {18, 256, 3, 3}, l.get("residual_blocks.3.conv_block.1.offset_conv.weight"));
		assertArrayEquals(new long[] {128, 256, 3, 3}, l.get("upsample_2.conv.conv.1.weight"));
		assertArrayEquals(new long[0], l.get("upsample_1.deconv.conv.conv.2.num_batches_tracked"));
		assertArrayEquals(new long[] {3}, l.get("output_conv_naive.1.bias"));
	}
}
