package fiji.plugin.derain.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TileAxisTest {

	@Test
	void layoutInvariantsHoldForManySizes() {
		int[][] configs = { { 64, 16, 8 }, { 512, 96, 32 }, { 32, 4, 8 }, { 48, 8, 4 }, { 64, 0, 0 }, { 16, 2, 2 } };
		for (int[] cfg : configs) {
			int tile = cfg[0], margin = cfg[1], blend = cfg[2];
			for (long size = 1; size < 1400; size += size < 80 ? 1 : 37)
				checkInvariants(TileAxis.of(size, tile, margin, blend), tile, margin, blend);
		}
	}

	@Test
	void axisThatFitsIsOneWindowPaddedToFour() {
		TileAxis axis = TileAxis.of(203, 512, 96, 32);
		assertEquals(1, axis.count());
		assertEquals(204, axis.window);
		assertEquals(0, axis.lo(0));
		assertEquals(203, axis.hi(0));
		float[] w = axis.weights(0);
		assertEquals(1f, w[202]);
		assertEquals(0f, w[203], "the padding column is cropped");
	}

	@Test
	void handComputedLayout() {
		// 204 padded, windows of 64 advancing by at most 64 - 2*16 - 8 = 24: 35 units of 4 over 6 steps -> 7 windows
		TileAxis axis = TileAxis.of(203, 64, 16, 8);
		assertEquals(7, axis.count());
		long[] starts = new long[7];
		for (int i = 0; i < 7; i++) starts[i] = axis.start(i);
		// 4 * floor(35 * i / 6)
		assertEquals(java.util.Arrays.toString(new long[] { 0, 20, 44, 68, 92, 116, 140 }), java.util.Arrays.toString(starts));
		assertEquals(0, axis.lo(0));
		assertEquals(48, axis.hi(0));
		assertEquals(36, axis.lo(1)); // 20 + 16
		// the cross-fade between tiles 0 and 1 covers [36, 48): symmetric cosine, 0.5 in the middle
		float[] w0 = axis.weights(0), w1 = axis.weights(1);
		assertEquals(1f, w0[35]);
		assertEquals(0.5f, (w0[41] + w0[42]) / 2, 1e-6f);
		assertEquals(w0[36], w1[47 - 20], 1e-6f);
	}

	private static void checkInvariants(TileAxis axis, int tile, int margin, int blend) {
		String what = "size " + axis.size + " tile " + tile + " margin " + margin + " blend " + blend;
		assertEquals(0, axis.window % 4, what);
		assertEquals(Math.max(TileAxis.roundUp4(axis.size), TileAxis.MIN_PADDED), axis.padded, what);
		double[] sum = new double[(int) axis.size];
		for (int i = 0; i < axis.count(); i++) {
			long start = axis.start(i);
			assertEquals(0, start % 4, what + ": window " + i + " off the 4-px grid");
			assertTrue(start >= 0 && start + axis.window <= axis.padded, what + ": window " + i + " outside the padded image");
			if (i > 0) assertTrue(axis.lo(i) - start >= margin, what + ": too little context left of tile " + i);
			if (i < axis.count() - 1)
				assertTrue(start + axis.window - axis.hi(i) >= margin, what + ": too little context right of tile " + i);
			if (i > 0) assertTrue(axis.hi(i - 1) - axis.lo(i) >= blend, what + ": cross-fade narrower than blend");
			float[] w = axis.weights(i);
			for (int k = 0; k < w.length; k++) {
				long x = start + k;
				boolean inside = x >= axis.lo(i) && x < axis.hi(i);
				assertTrue(inside ? w[k] > 0 : w[k] == 0, what + ": weight of tile " + i + " at " + x);
				if (x < axis.size) sum[(int) x] += w[k];
			}
		}
		for (int x = 0; x < sum.length; x++) assertEquals(1.0, sum[x], 1e-6, what + ": weights at " + x);
	}
}
