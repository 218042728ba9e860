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
 * <p>With {@code sceneFrames} k &gt; 1 (not GT-RAIN; the rain-robust loss must be off), a batch is B/k scenes with k
 * different pairs of each, and the k pairs of a scene share one crop (angle, position, flips; each still draws its
 * own rain layer): the batch shows the same content under k rain frames, e.g. light rain beside a downpour. A frame of
 * another size than its scene's first gets a crop of its own.
 *
 * <p>All randomness comes from the {@link TrainRandom} passed to {@link #next}, in a fixed order (per scene of the
 * batch: the scene, its pairs; then per scene: the crop, each pair's rain), so a run is reproducible from its seed
 * and resumes exactly from a saved random state. With k = 1 this is GT-RAIN's order: scene, pair, ..., then per pair
 * its crop and rain.
 */
public final class BatchSampler {
	private final PairDataset data;
	private final List<String> scenes;
	private final int batchSize;
	/** Pairs per scene in a batch, sharing a crop. */
	private final int sceneFrames;
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

	/** One pair from each of {@code batchSize} different scenes (GT-RAIN). */
	public BatchSampler(PairDataset data, int batchSize, Augmentation augmentation, ImageCache cache) {
		this(data, batchSize, 1, augmentation, cache);
	}

	/**
	 * @param data the training pairs
	 * @param sceneFrames pairs of one scene per batch, sharing a crop; divides {@code batchSize}
	 * @param cache decoded-image cache (e.g. {@code new ImageCache(512 << 20)})
	 * @throws IllegalArgumentException when the data has fewer scenes than {@code batchSize / sceneFrames}, or a
	 *         scene fewer pairs than {@code sceneFrames}
	 */
	public BatchSampler(PairDataset data, int batchSize, int sceneFrames, Augmentation augmentation,
		ImageCache cache) {
		if (sceneFrames < 1 || batchSize % sceneFrames != 0)
			throw new IllegalArgumentException("scene_frames must be at least 1 and divide batch (" + batchSize
				+ "), got " + sceneFrames);
		this.data = data;
		this.scenes = data.scenes();
		this.batchSize = batchSize;
		this.sceneFrames = sceneFrames;
		this.augmentation = augmentation;
		this.cache = cache;
		int perBatch = batchSize / sceneFrames;
		if (scenes.size() < perBatch)
			throw new IllegalArgumentException(data.description() + " has " + scenes.size() + " training scene"
				+ (scenes.size() == 1 ? "" : "s") + (sceneFrames == 1 ? " but batch is " + batchSize
					+ ": every batch takes its pairs from different scenes (the rain-robust loss needs the other scenes "
					+ "as negatives); lower batch to at most " + scenes.size()
					: " but batch / scene_frames is " + perBatch + ": every batch takes that many different scenes; "
						+ "lower batch or raise scene_frames")
				+ ", lower val_fraction, or add scenes");
		for (String scene : scenes)
			if (data.pairsOf(scene).size() < sceneFrames)
				throw new IllegalArgumentException(data.description() + ": scene " + scene + " has "
					+ data.pairsOf(scene).size() + " pair(s) but scene_frames is " + sceneFrames
					+ ": every scene of the training set needs that many rainy frames; lower scene_frames");
	}

	/** Draws and augments the next batch. */
	public Batch next(TrainRandom rng) throws IOException {
		int p = augmentation.patch();
		int per = 3 * p * p;
		float[] rainy = new float[batchSize * per], clean = new float[batchSize * per];
		ImagePair[] chosen = draw(rng);
		for (int first = 0; first < batchSize; first += sceneFrames) {
			Augmentation.Crop crop = null;
			for (int b = first; b < first + sceneFrames; b++) {
				ImagePair pair = chosen[b];
				RgbImage r = cache.get(pair.rainy()), c = cache.get(pair.clean());
				try {
					if (crop == null || !crop.fits(r)) crop = augmentation.crop(r.width(), r.height(), rng);
					augmentation.apply(r, c, crop, rng, rainy, clean, b * per);
				} catch (IllegalArgumentException e) {
					throw new IllegalArgumentException(pair.rainy() + " / " + pair.clean() + ": " + e.getMessage(), e);
				}
			}
		}
		return new Batch(rainy, clean, batchSize, p, List.of(chosen));
	}

	/** The batch's pairs: {@code sceneFrames} different pairs of each of {@code batchSize / sceneFrames} scenes. */
	private ImagePair[] draw(TrainRandom rng) {
		int[] order = identity(scenes.size());
		ImagePair[] chosen = new ImagePair[batchSize];
		for (int s = 0; s < batchSize / sceneFrames; s++) {
			List<ImagePair> inScene = data.pairsOf(scenes.get(order[takeNext(order, s, rng)]));
			int[] frames = sceneFrames == 1 ? null : identity(inScene.size());
			for (int f = 0; f < sceneFrames; f++)
				chosen[s * sceneFrames + f] = inScene.get(frames == null ? rng.nextInt(inScene.size())
					: frames[takeNext(frames, f, rng)]);
		}
		return chosen;
	}

	private static int[] identity(int n) {
		int[] a = new int[n];
		for (int i = 0; i < n; i++) a[i] = i;
		return a;
	}

	/**
	 * One step of a partial Fisher–Yates shuffle: the first {@code taken} entries of {@code order} are the ones
	 * already drawn; swaps a uniformly drawn one of the rest into place {@code taken} and returns {@code taken}.
	 */
	private static int takeNext(int[] order, int taken, TrainRandom rng) {
		int j = taken + rng.nextInt(order.length - taken);
		int t = order[taken];
		order[taken] = order[j];
		order[j] = t;
		return taken;
	}
}
