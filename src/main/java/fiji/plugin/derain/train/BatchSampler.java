package fiji.plugin.derain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.util.List;

/**
 * Draws training batches: B pairs from B different scenes (DESIGN §2: the rain-robust loss uses the other
 * scenes of a batch as negatives, so two frames of one scene must not meet in a batch), each augmented by
 * {@link Augmentation}. Scenes are drawn uniformly without replacement per batch, then one pair uniformly within
 * each scene, so every scene is seen equally often whatever its number of frames (as GT-RAIN's scene batch
 * sampler). A training set with fewer scenes than B is an error rather than a batch with repeats.
 *
 * <p>All randomness comes from the {@link TrainRandom} passed to {@link #next}, in a fixed order, so a run is
 * reproducible from its seed and resumes exactly from a saved random state.
 */
public final class BatchSampler {
	private final PairDataset data;
	private final List<String> scenes;
	private final int batchSize;
	private final Augmentation augmentation;
	private final ImageCache cache;

	/**
	 * A batch of {@code size} pairs as planar float arrays, (N, 3, P, P) in [-1, 1], ready for
	 * {@code manager.create(rainy, shape())}. The arrays belong to the batch.
	 */
	public record Batch(float[] rainy, float[] clean, int size, int patch, List<ImagePair> pairs) {
		public Shape shape() {
			return new Shape(size, 3, patch, patch);
		}

		public NDArray rainy(NDManager manager) {
			return manager.create(rainy, shape());
		}

		public NDArray clean(NDManager manager) {
			return manager.create(clean, shape());
		}
	}

	/**
	 * @param data the training pairs
	 * @param cache decoded-image cache (e.g. {@code new ImageCache(512 << 20)})
	 * @throws IllegalArgumentException when the data has fewer scenes than {@code batchSize}
	 */
	public BatchSampler(PairDataset data, int batchSize, Augmentation augmentation, ImageCache cache) {
		this.data = data;
		this.scenes = data.scenes();
		this.batchSize = batchSize;
		this.augmentation = augmentation;
		this.cache = cache;
		if (scenes.size() < batchSize)
			throw new IllegalArgumentException(data.description() + " has " + scenes.size() + " training scene"
				+ (scenes.size() == 1 ? "" : "s") + " but batch is " + batchSize + ": every batch takes its pairs from "
				+ "different scenes (the rain-robust loss needs the other scenes as negatives); lower batch to at most "
				+ scenes.size() + ", lower val_fraction, or add scenes");
	}

	/** Draws and augments the next batch. */
	public Batch next(TrainRandom rng) throws IOException {
		int p = augmentation.patch();
		int per = 3 * p * p;
		float[] rainy = new float[batchSize * per], clean = new float[batchSize * per];
		int[] order = new int[scenes.size()];
		for (int i = 0; i < order.length; i++) order[i] = i;
		ImagePair[] chosen = new ImagePair[batchSize];
		for (int b = 0; b < batchSize; b++) {
			// partial Fisher–Yates: the first b entries of order are the scenes already taken
			int j = b + rng.nextInt(order.length - b);
			int t = order[b];
			order[b] = order[j];
			order[j] = t;
			List<ImagePair> inScene = data.pairsOf(scenes.get(order[b]));
			chosen[b] = inScene.get(rng.nextInt(inScene.size()));
		}
		for (int b = 0; b < batchSize; b++) {
			ImagePair pair = chosen[b];
			RgbImage r = cache.get(pair.rainy()), c = cache.get(pair.clean());
			try {
				augmentation.apply(r, c, rng, rainy, clean, b * per);
			} catch (IllegalArgumentException e) {
				throw new IllegalArgumentException(pair.rainy() + " / " + pair.clean() + ": " + e.getMessage(), e);
			}
		}
		return new Batch(rainy, clean, batchSize, p, List.of(chosen));
	}
}
