package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.net.DerainConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop on a tiny stand-in network (1×1 convs; the real DerainNet plugs in through {@link TrainableNet}):
 * the loss falls, and a run interrupted, checkpointed to disk and resumed ends bit-identical to one that ran
 * straight through.
 */
class DerainTrainerTest {
	@TempDir
	Path tmp;

	/** image = tanh(W·x + b) per pixel; features = 2×2 average pool of F·x, flattened (N, 16). */
	static final class TinyNet implements TrainableNet {
		final Map<String, NDArray> params = new LinkedHashMap<>();

		TinyNet(NDManager m) {
			params.put("output_conv_naive.1.weight", m.create(new float[] {0.5f, 0.1f, 0, 0, 0.5f, 0.1f, 0.1f, 0, 0.5f},
				new Shape(3, 3, 1, 1)));
			params.put("output_conv_naive.1.bias", m.create(new float[] {0.05f, -0.05f, 0}, new Shape(3)));
			float[] f = new float[12];
			for (int i = 0; i < 12; i++) f[i] = (float) Math.sin(i + 1);
			params.put("residual_blocks.0.conv_block.1.offset_conv.weight", m.create(f, new Shape(4, 3, 1, 1)));
			for (NDArray p : params.values()) p.setRequiresGradient(true);
		}

		@Override
		public NDList forward(NDList input, boolean training) {
			NDArray x = input.singletonOrThrow();
			NDArray image = Conv2d.conv2d(x, params.get("output_conv_naive.1.weight"),
				params.get("output_conv_naive.1.bias")).head().tanh();
			NDArray f = Conv2d.conv2d(x, params.get("residual_blocks.0.conv_block.1.offset_conv.weight")).head();
			long half = x.getShape().get(2) / 2;
			NDArray pooled = Pool.avgPool2d(f, new Shape(half, half), new Shape(half, half), new Shape(0, 0), false, true);
			return new NDList(image, pooled.reshape(x.getShape().get(0), -1));
		}

		@Override
		public Map<String, NDArray> parameters() {
			return params;
		}

		@Override
		public Map<String, NDArray> stateDict() {
			return params;
		}

		@Override
		public void loadStateDict(Map<String, NDArray> state) {
			for (Map.Entry<String, NDArray> e : params.entrySet()) state.get(e.getKey()).copyTo(e.getValue());
		}
	}

	private PairDataset data() throws IOException {
		Path root = tmp.resolve("gt");
		for (int s = 0; s < 3; s++) {
			for (int f = 0; f < 3; f++)
				PairDatasetTest.rgb(root.resolve("S" + s + "/S" + s + "-Webcam-R-00" + f + ".png"), 12, 10, 60 * s + 20 * f);
			PairDatasetTest.rgb(root.resolve("S" + s + "/S" + s + "-Webcam-C-000.png"), 12, 10, 60 * s);
		}
		return PairDataset.gtRain(root);
	}

	private static final RainLayerSource RAIN = (w, h, random) -> {
		float[] m = new float[w * h];
		for (int i = 0; i < m.length; i++) m[i] = random.nextFloat() < 0.1f ? 0.8f : 0f;
		return m;
	};

	private static TrainConfig config(double lr) {
		TrainConfig.Builder b = TrainConfig.defaults().toBuilder();
		b.epochs = 3;
		b.warmupEpochs = 1;
		b.batchSize = 2;
		b.patchSize = 8;
		b.ssimWeight = 0; // MS-SSIM needs patches of 161+; its value and gradient are tested in DerainLossesTest
		b.learningRate = lr;
		b.net = new DerainConfig(4, 1, DerainConfig.Activation.LEAKY, DerainConfig.Norm.BATCH, DerainConfig.Init.NORMAL);
		return b.build();
	}

	@Test
	void interruptedCheckpointedAndResumedRunEqualsAStraightRun() throws IOException {
		PairDataset data = data();
		TrainConfig config = config(1e-2);
		try (NDManager m = NDManager.newBaseManager()) {
			TinyNet straightNet = new TinyNet(m);
			DerainTrainer straight = new DerainTrainer(config, straightNet, data, RAIN, new ImageCache(1 << 20), m);
			assertEquals(5, straight.stepsPerEpoch(), "ceil(9 pairs / batch 2)");
			while (!straight.finished()) straight.trainStep();
			assertEquals(3, straight.epoch());

			TinyNet firstNet = new TinyNet(m);
			DerainTrainer first = new DerainTrainer(config, firstNet, data, RAIN, new ImageCache(0), m);
			for (int i = 0; i < 7; i++) first.trainStep();
			first.offerMetric(21.5);
			Path folder = tmp.resolve("run/checkpoint");
			first.checkpoint(m).save(folder);
			first.trainStep(); // overwritten below: the second save must replace the first atomically
			first.checkpoint(m).save(folder);
			assertEquals(3, Files.list(folder).count());
			assertEquals(1, Files.list(folder.getParent()).count(), "no stray temporary folders");

			TrainingCheckpoint loaded = TrainingCheckpoint.load(folder, m);
			assertEquals(8, loaded.step());
			assertEquals(1, loaded.epoch());
			assertEquals(21.5, loaded.bestMetric());
			assertEquals(config, loaded.config());
			TinyNet resumedNet = new TinyNet(m);
			DerainTrainer resumed = new DerainTrainer(config, resumedNet, data, RAIN, new ImageCache(0), m);
			resumed.restore(loaded);
			List<Long> ran = new java.util.ArrayList<>();
			while (!resumed.finished()) ran.add(resumed.trainStep().step());
			assertEquals(java.util.stream.LongStream.range(8, 15).boxed().toList(), ran,
				"the resumed trainer takes steps 8..14 only, not the 15 of a run from scratch");
			for (String n : straightNet.params.keySet())
				assertArrayEquals(straightNet.params.get(n).toFloatArray(), resumedNet.params.get(n).toFloatArray(), n);

			TrainConfig other = config(2e-2);
			DerainTrainer mismatched = new DerainTrainer(other, new TinyNet(m), data, RAIN, new ImageCache(0), m);
			assertThrows(IllegalArgumentException.class, () -> mismatched.restore(loaded));
		}
	}

	/**
	 * With ema_decay the trainer keeps a moving average of the parameters: checked against the average computed here
	 * in double precision from the parameters after every step, through the decay's warm-up (0.1, 0.18, ... up to
	 * 0.6 from step 13); {@link DerainTrainer#averagedWeights} shows it to the network and puts the live weights
	 * back; a checkpointed and resumed run ends with the same average, bit for bit.
	 */
	@Test
	void theWeightAverageFollowsTheParametersAndResumesExactly() throws IOException {
		PairDataset data = data();
		TrainConfig config = config(1e-2).with(b -> b.emaDecay = 0.6);
		try (NDManager m = NDManager.newBaseManager()) {
			TinyNet straightNet = new TinyNet(m);
			DerainTrainer straight = new DerainTrainer(config, straightNet, data, RAIN, new ImageCache(1 << 20), m);
			Map<String, double[]> expected = new LinkedHashMap<>();
			for (long s = 0; !straight.finished(); s++) {
				straight.trainStep();
				double d = Math.min(0.6, (1.0 + s) / (10.0 + s));
				for (Map.Entry<String, NDArray> e : straightNet.params.entrySet()) {
					float[] p = e.getValue().toFloatArray();
					double[] a = expected.get(e.getKey());
					if (a == null) expected.put(e.getKey(), a = new double[p.length]);
					for (int i = 0; i < p.length; i++) a[i] = s == 0 ? p[i] : d * a[i] + (1 - d) * p[i];
				}
			}
			assertEquals(15, straight.step());
			Map<String, float[]> live = floats(straightNet.params), averaged;
			try (DerainTrainer.LiveWeights w = straight.averagedWeights()) {
				averaged = floats(straightNet.params);
			}
			for (String n : expected.keySet()) {
				float[] a = averaged.get(n);
				for (int i = 0; i < a.length; i++)
					assertEquals(expected.get(n)[i], a[i], 1e-6, n + "[" + i + "]");
				assertTrue(!java.util.Arrays.equals(a, live.get(n)), n + ": the average is not the last step's weights");
				assertArrayEquals(live.get(n), straightNet.params.get(n).toFloatArray(), n + " is live again");
			}

			TinyNet firstNet = new TinyNet(m);
			DerainTrainer first = new DerainTrainer(config, firstNet, data, RAIN, new ImageCache(0), m);
			for (int i = 0; i < 8; i++) first.trainStep();
			Path folder = tmp.resolve("ema/checkpoint");
			first.checkpoint(m).save(folder);
			assertTrue(Files.exists(folder.resolve(TrainingCheckpoint.AVERAGE)));
			TinyNet resumedNet = new TinyNet(m);
			DerainTrainer resumed = new DerainTrainer(config, resumedNet, data, RAIN, new ImageCache(0), m);
			resumed.restore(TrainingCheckpoint.load(folder, m));
			while (!resumed.finished()) resumed.trainStep();
			try (DerainTrainer.LiveWeights w = resumed.averagedWeights()) {
				for (String n : averaged.keySet())
					assertArrayEquals(averaged.get(n), resumedNet.params.get(n).toFloatArray(), n);
			}
		}
	}

	private static Map<String, float[]> floats(Map<String, NDArray> arrays) {
		Map<String, float[]> out = new LinkedHashMap<>();
		arrays.forEach((n, a) -> out.put(n, a.toFloatArray()));
		return out;
	}

	/**
	 * The real network (ngf 4, 1 block), one step each way: with freeze_bn the BatchNorm running statistics do not
	 * move while the weights (BatchNorm's weight and bias included) learn; without it the statistics move (GT-RAIN).
	 */
	@Test
	void frozenBatchNormTrainsWithFixedRunningStatistics() throws IOException {
		PairDataset data = data();
		for (boolean frozen : new boolean[] {true, false}) {
			TrainConfig config = config(1e-2).with(b -> {
				b.freezeBatchNorm = frozen;
				b.robustWeight = 0;
				b.rainProbability = 0;
			});
			try (NDManager m = NDManager.newBaseManager()) {
				DerainNetTrainable net = new DerainNetTrainable(fiji.plugin.derain.net.DerainNet.create(config.net(), m), m);
				Map<String, float[]> before = new LinkedHashMap<>();
				net.stateDict().forEach((k, a) -> {
					if (!k.endsWith("num_batches_tracked")) before.put(k, a.toFloatArray());
				});
				DerainTrainer t = new DerainTrainer(config, net, data, null, new ImageCache(1 << 20), m);
				t.trainStep();
				java.util.Set<String> moved = new java.util.TreeSet<>();
				for (Map.Entry<String, NDArray> e : net.stateDict().entrySet())
					if (before.containsKey(e.getKey()) && !java.util.Arrays.equals(before.get(e.getKey()),
						e.getValue().toFloatArray())) moved.add(e.getKey());
				for (String k : before.keySet())
					if (k.contains(".running_"))
						assertEquals(!frozen, moved.contains(k), (frozen ? "frozen: " : "batch statistics: ") + k);
				// (in a fresh network at eval mode the deep layers' gradients can be below float resolution)
				for (String k : List.of("initial_conv.0.conv.1.weight", "initial_conv.0.conv.2.weight",
					"initial_conv.0.conv.2.bias", "output_conv_naive.1.weight"))
					assertTrue(moved.contains(k), k + " did not move; moved: " + moved);
			}
		}
	}

	/**
	 * With frozen BatchNorm and no rain-robust term the trainer leaves the clean patches out of the forward pass; the
	 * step is still GT-RAIN's [rainy; clean] step: the same loss and gradients as the real network (ngf 4, 1 block)
	 * given both halves, computed here by hand. Batch statistics or a rain-robust term keep the clean half.
	 */
	@Test
	void withFrozenBatchNormAndNoRainRobustTermTheCleanHalfIsLeftOut() throws IOException {
		PairDataset data = data();
		TrainConfig config = config(1e-2).with(b -> {
			b.freezeBatchNorm = true;
			b.robustWeight = 0;
			b.rainProbability = 0;
		});
		try (NDManager m = NDManager.newBaseManager()) {
			assertTrue(new DerainTrainer(config.with(b -> b.robustWeight = 0.1), new TinyNet(m), data, null,
				new ImageCache(0), m).withCleanHalf(), "the rain-robust term compares the halves");
			assertTrue(new DerainTrainer(config.with(b -> b.freezeBatchNorm = false), new TinyNet(m), data, null,
				new ImageCache(0), m).withCleanHalf(), "batch statistics see both halves");

			DerainNetTrainable net = new DerainNetTrainable(fiji.plugin.derain.net.DerainNet.create(config.net(), m), m);
			DerainNetTrainable twin = new DerainNetTrainable(fiji.plugin.derain.net.DerainNet.create(config.net(), m), m);
			twin.loadStateDict(net.stateDict());
			DerainTrainer trainer = new DerainTrainer(config, net, data, null, new ImageCache(1 << 20), m);
			assertTrue(!trainer.withCleanHalf());
			java.util.SplittableRandom r = new java.util.SplittableRandom(7);
			float[] rainy = new float[2 * 3 * 8 * 8], clean = new float[rainy.length];
			for (int i = 0; i < rainy.length; i++) {
				clean[i] = (float) r.nextDouble(-0.9, 0.9);
				rainy[i] = Math.min(1, clean[i] + (float) r.nextDouble(0, 0.5));
			}
			BatchSampler.Batch batch = new BatchSampler.Batch(rainy, clean, 2, 8, List.of());
			Map<String, float[]> gradients = new LinkedHashMap<>();
			trainer.observe(new DerainTrainer.StepObserver() {
				@Override
				public void gradients(Map<String, NDArray> parameters) {
					parameters.forEach((n, p) -> gradients.put(n, p.getGradient().toFloatArray()));
				}
			});
			double loss = trainer.step(batch).total();

			double expected;
			try (NDManager sm = m.newSubManager();
				ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
				NDArray x = batch.rainy(sm), y = batch.clean(sm);
				TrainableNet.Pass pass = twin.forwardTraining(x.concat(y, 0), false);
				DerainLosses.Terms t = DerainLosses.total(pass.outputs().get(0).get("0:2"), y, x, pass.outputs().get(1),
					config);
				expected = t.total().getFloat();
				pass.backward(gc, t.total());
			}
			assertEquals(expected, loss, 1e-6 * Math.abs(expected));
			assertEquals(twin.parameters().keySet(), gradients.keySet());
			for (Map.Entry<String, NDArray> e : twin.parameters().entrySet()) {
				float[] want = e.getValue().getGradient().toFloatArray(), got = gradients.get(e.getKey());
				double scale = 0, diff = 0;
				for (int i = 0; i < want.length; i++) {
					scale = Math.max(scale, Math.abs(want[i]));
					diff = Math.max(diff, Math.abs(want[i] - got[i]));
				}
				assertTrue(diff <= 1e-5 * scale + 1e-12, e.getKey() + ": gradient off by " + diff + " (max |g| " + scale
					+ ")");
			}
		}
	}

	@Test
	void aNaNLossStopsTrainingWithOneLineBeforeTheWeightsChange() throws IOException {
		PairDataset data = data();
		try (NDManager m = NDManager.newBaseManager()) {
			TinyNet net = new TinyNet(m);
			DerainTrainer t = new DerainTrainer(config(1e-2), net, data, RAIN, new ImageCache(1 << 20), m);
			t.trainStep();
			t.trainStep();
			net.params.get("output_conv_naive.1.bias").set(new ai.djl.ndarray.index.NDIndex("1"), Float.NaN);
			float[] before = net.params.get("output_conv_naive.1.weight").toFloatArray();
			TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::trainStep);
			assertEquals("training diverged: the loss became NaN at epoch 1, step 3 (learning rate 0.00600): lower the"
				+ " learning rate (lr, now 0.0100; GT-RAIN uses 2e-4) and train again", e.getMessage());
			assertArrayEquals(before, net.params.get("output_conv_naive.1.weight").toFloatArray());
			assertEquals(2, t.step());
		}
	}

	/** Before, an absurd learning rate trained on with NaN weights (the tiny net has no deformable conv to fail). */
	@Test
	void anAbsurdLearningRateStopsAtTheFirstNonFiniteLossOrWeight() throws IOException {
		PairDataset data = data();
		try (NDManager m = NDManager.newBaseManager()) {
			DerainTrainer t = new DerainTrainer(config(1e38), new TinyNet(m), data, RAIN, new ImageCache(1 << 20), m);
			TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> {
				while (!t.finished()) t.trainStep();
			});
			assertTrue(e.getMessage().matches("training diverged: (the loss became (NaN|Infinity|-Infinity)|weight '.+'"
				+ " became NaN/Inf after the optimizer step) at epoch 1, step \\d+ \\(learning rate .+\\): lower the"
				+ " learning rate \\(lr, now 1\\.00e\\+38; GT-RAIN uses 2e-4\\) and train again"), e.getMessage());
		}
	}

	@Test
	void lossFalls() throws IOException {
		PairDataset data = data();
		TrainConfig.Builder b = config(0.05).toBuilder();
		b.epochs = 12;
		b.warmupEpochs = 0;
		b.rainProbability = 0;
		TrainConfig config = b.build();
		try (NDManager m = NDManager.newBaseManager()) {
			DerainTrainer t = new DerainTrainer(config, new TinyNet(m), data, null, new ImageCache(1 << 20), m);
			double early = 0, late = 0;
			int n = 0;
			while (!t.finished()) {
				DerainTrainer.StepResult r = t.trainStep();
				if (n < 5) early += r.l1();
				if (t.totalSteps() - n <= 5) late += r.l1();
				n++;
			}
			assertTrue(late < 0.5 * early, "L1 over the first 5 steps " + early / 5 + ", last 5 " + late / 5);
		}
	}
}
