package fiji.plugin.derain.tensor;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.cell.CellImg;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TiledInferenceTest {
	private static final float ONE_LEVEL = 1f / 255;
	private static NDManager manager;
	private static ConvStackNetwork network;

	@BeforeAll
	static void setUp() {
		manager = NDManager.newBaseManager();
		network = new ConvStackNetwork(3, 42); // receptive-field radius 3
	}

	@AfterAll
	static void tearDown() {
		network.close();
		manager.close();
	}

	@Test
	void bandsHoldAboutTwoTilesOfPixelsAndAtLeast64Rows() {
		assertEquals(256, TiledInference.bandRows(512, 2048, 1536));
		assertEquals(1024, TiledInference.bandRows(1024, 2048, 1536));
		assertEquals(64, TiledInference.bandRows(512, 12000, 9000), "wide images: the floor");
		assertEquals(40, TiledInference.bandRows(512, 100, 40), "never more than the image, rounded up to 8");
	}

	@Test
	void tiledEqualsWholeImage() {
		Img<FloatType> image = randomImage(203, 157, 1);
		Img<FloatType> whole = ArrayImgs.floats(203, 157, 3), tiled = ArrayImgs.floats(203, 157, 3);
		assertEquals(204, builder().optWholeImage().build().run(image, whole), "whole image = one 204-px window");
		List<long[]> progress = new ArrayList<>();
		int used = builder().optTileSize(64).optOverlap(16).optBlend(8).optProgress((d, t) -> progress.add(new long[] { d, t }))
			.build().run(image, tiled);
		assertEquals(64, used);
		// 204 wide: windows every <= 24 px -> 7 columns; 160 high -> 5 rows
		assertEquals(35, progress.size());
		for (int i = 0; i < progress.size(); i++) {
			assertEquals(i + 1, progress.get(i)[0]);
			assertEquals(35, progress.get(i)[1]);
		}
		float diff = maxDifference(whole, tiled);
		assertTrue(diff < 1e-5f, "tiled differs from whole image by " + diff);
		assertTrue(maxValue(whole) > 0.5f && minValue(whole) < 0.5f, "network output is not trivial");
	}

	@Test
	void tiledEqualsWholeImageForAGridSensitiveNetwork() {
		try (ConvStackNetwork pooled = new ConvStackNetwork(3, 7, true)) {
			Img<FloatType> image = randomImage(203, 157, 13);
			Img<FloatType> whole = ArrayImgs.floats(203, 157, 3), tiled = ArrayImgs.floats(203, 157, 3);
			TiledInference.builder().setManager(manager).setNetwork(pooled).optWholeImage().build().run(image, whole);
			TiledInference.builder().setManager(manager).setNetwork(pooled).optTileSize(64).optOverlap(16).optBlend(8).build()
				.run(image, tiled);
			assertTrue(maxDifference(whole, tiled) < 1e-5f);

			// the grid matters: the same network on the image shifted by 2 px gives a different result
			Img<FloatType> shifted = ArrayImgs.floats(201, 157, 3);
			TiledInference.builder().setManager(manager).setNetwork(pooled).optWholeImage().build()
				.run(Views.interval(image, new long[] { 2, 0, 0 }, new long[] { 202, 156, 2 }), shifted);
			assertTrue(maxDifference(Views.interval(whole, new long[] { 2, 0, 0 }, new long[] { 202, 156, 2 }),
				Views.translate(shifted, 2, 0, 0)) > ONE_LEVEL);
		}
	}

	@Test
	void tilesWithoutContextReallyDiffer() {
		// proves the stand-in has a receptive field the overlap must cover
		Img<FloatType> image = randomImage(203, 157, 2);
		Img<FloatType> whole = ArrayImgs.floats(203, 157, 3), cropped = ArrayImgs.floats(203, 157, 3);
		builder().optWholeImage().build().run(image, whole);
		builder().optTileSize(64).optOverlap(0).optBlend(0).build().run(image, cropped);
		assertTrue(maxDifference(whole, cropped) > ONE_LEVEL);
	}

	@Test
	void hugeCoordinatesAndCellImgTarget() {
		// positions beyond 2^32 prove long indexing; the CellImg target shows no image-sized array is needed
		long ox = 3_000_000_000L, oy = 5_000_000_001L;
		Img<FloatType> image = randomImage(150, 98, 3);
		Img<FloatType> reference = ArrayImgs.floats(150, 98, 3);
		builder().optWholeImage().build().run(image, reference);
		CellImg<FloatType, ?> cells = new CellImgFactory<>(new FloatType(), 40, 30, 3).create(150, 98, 3);
		RandomAccessibleInterval<FloatType> source = Views.translate(image, ox, oy, 0);
		RandomAccessibleInterval<FloatType> target = Views.translate(cells, ox, oy, 0);
		builder().optTileSize(48).optOverlap(8).optBlend(4).build().run(source, target);
		assertTrue(maxDifference(reference, cells) < 1e-5f);
	}

	@Test
	void cancellationStopsBetweenTiles() {
		Img<FloatType> image = randomImage(203, 157, 4);
		AtomicInteger done = new AtomicInteger();
		int before = network.calls();
		TiledInference inference = builder().optTileSize(64).optOverlap(16).optBlend(8)
			.optProgress((d, t) -> done.set((int) d)).optCancelled(() -> done.get() >= 3).build();
		assertThrows(CancellationException.class, () -> inference.run(image, ArrayImgs.floats(203, 157, 3)));
		assertEquals(3, network.calls() - before, "network ran after cancel");
		assertEquals(3, done.get());
	}

	@Test
	void outOfMemoryRetriesWithHalfTheTileSize() {
		Img<FloatType> image = randomImage(203, 157, 5);
		Img<FloatType> reference = ArrayImgs.floats(203, 157, 3), result = ArrayImgs.floats(203, 157, 3);
		builder().optWholeImage().build().run(image, reference);
		List<String> messages = new ArrayList<>();
		NetworkFunction smallOnly = input -> {
			if (input.getShape().get(3) > 64) throw new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB");
			return network.apply(input);
		};
		int used = TiledInference.builder().setManager(manager).setNetwork(smallOnly).optTileSize(256).optOverlap(8)
			.optBlend(4).optMinTileSize(32).optLog(messages::add).build().run(image, result);
		// 256 is more than the padded image: the first try is the whole image, 204 px, then 100, then 48
		assertEquals(48, used);
		assertEquals(List.of("Out of memory at tile 204", "Out of memory at tile 100"),
			messages.stream().map(m -> m.substring(0, m.indexOf(','))).toList());
		assertTrue(messages.get(0).contains("retrying with 100"), messages.get(0));
		assertTrue(messages.get(1).contains("retrying with 48"), messages.get(1));
		assertTrue(maxDifference(reference, result) < 1e-5f);
	}

	@Test
	void javaHeapExhaustionIsRetriedToo() {
		Img<FloatType> image = randomImage(100, 60, 6);
		List<String> messages = new ArrayList<>();
		NetworkFunction smallOnly = input -> {
			if (input.getShape().get(3) > 32) throw new OutOfMemoryError("Java heap space");
			return network.apply(input);
		};
		int used = TiledInference.builder().setManager(manager).setNetwork(smallOnly).optTileSize(64).optOverlap(4)
			.optBlend(4).optMinTileSize(16).optLog(messages::add).build().run(image, ArrayImgs.floats(100, 60, 3));
		assertEquals(32, used);
		assertEquals(1, messages.size());
	}

	@Test
	void otherFailuresAreNotRetried() {
		IllegalStateException bug = new IllegalStateException("shape bug");
		List<String> messages = new ArrayList<>();
		TiledInference inference = TiledInference.builder().setManager(manager).setNetwork(input -> { throw bug; })
			.optLog(messages::add).build();
		assertSame(bug, assertThrows(IllegalStateException.class,
			() -> inference.run(randomImage(80, 80, 7), ArrayImgs.floats(80, 80, 3))));
		assertTrue(messages.isEmpty());
	}

	@Test
	void outOfMemoryAtTheSmallestTileIsRethrown() {
		EngineException oom = new EngineException("CUDA out of memory");
		TiledInference inference = TiledInference.builder().setManager(manager).setNetwork(input -> { throw oom; })
			.optTileSize(128).build();
		assertSame(oom, assertThrows(EngineException.class,
			() -> inference.run(randomImage(300, 200, 8), ArrayImgs.floats(300, 200, 3))));
	}

	@Test
	void wrongOutputShapeIsReported() {
		TiledInference inference = TiledInference.builder().setManager(manager).setNetwork(input -> input.get(":, :, 1:, :"))
			.build();
		IllegalStateException e = assertThrows(IllegalStateException.class,
			() -> inference.run(randomImage(20, 20, 9), ArrayImgs.floats(20, 20, 3)));
		assertTrue(e.getMessage().contains("(1, 3, 19, 20)"), e.getMessage());
	}

	@Test
	void mismatchedTargetIsRejected() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> builder().build().run(randomImage(20, 20, 10), ArrayImgs.floats(20, 21, 3)));
		assertTrue(e.getMessage().contains("target"), e.getMessage());
	}

	@Test
	void identityNetworkReproducesTheImage() {
		// with an identity network, blending weights that do not sum to 1 would show up directly
		Img<FloatType> image = randomImage(131, 77, 11);
		Img<FloatType> result = ArrayImgs.floats(131, 77, 3);
		TiledInference.builder().setManager(manager).setNetwork(input -> input).optTileSize(32).optOverlap(4).optBlend(8)
			.build().run(image, result);
		assertTrue(maxDifference(image, result) < 1e-6f);
	}

	@Test
	void tinyImagesArePaddedAndCropped() {
		// the network needs 8 pixels (reflection padding at a quarter of the size): tiny images are extended to that
		for (int[] size : new int[][] { { 1, 3 }, { 1, 1 }, { 2, 2 }, { 4, 4 }, { 3, 5 }, { 9, 2 } }) {
			Img<FloatType> image = randomImage(size[0], size[1], 12);
			Img<FloatType> result = ArrayImgs.floats(size[0], size[1], 3);
			List<long[]> shapes = new ArrayList<>();
			int used = TiledInference.builder().setManager(manager).setNetwork(input -> {
				shapes.add(input.getShape().getShape());
				return input;
			}).build().run(image, result);
			long padded = Math.max(8, (Math.max(size[0], size[1]) + 3) / 4 * 4);
			assertEquals(padded, used);
			assertEquals(Math.max(8, (size[1] + 3) / 4 * 4), shapes.get(0)[2]);
			assertEquals(Math.max(8, (size[0] + 3) / 4 * 4), shapes.get(0)[3]);
			assertTrue(maxDifference(image, result) < 1e-6f);
		}
	}

	private static TiledInference.Builder builder() {
		return TiledInference.builder().setManager(manager).setNetwork(network);
	}

	static Img<FloatType> randomImage(long w, long h, long seed) {
		Img<FloatType> img = ArrayImgs.floats(w, h, 3);
		Random random = new Random(seed);
		for (FloatType v : img) v.set(random.nextFloat());
		return img;
	}

	static float maxDifference(RandomAccessibleInterval<FloatType> a, RandomAccessibleInterval<FloatType> b) {
		Cursor<FloatType> ca = Views.flatIterable(a).cursor(), cb = Views.flatIterable(b).cursor();
		float max = 0;
		while (ca.hasNext()) max = Math.max(max, Math.abs(ca.next().get() - cb.next().get()));
		return max;
	}

	private static float maxValue(Img<FloatType> img) {
		float max = Float.NEGATIVE_INFINITY;
		for (FloatType v : img) max = Math.max(max, v.get());
		return max;
	}

	private static float minValue(Img<FloatType> img) {
		float min = Float.POSITIVE_INFINITY;
		for (FloatType v : img) min = Math.min(min, v.get());
		return min;
	}
}
