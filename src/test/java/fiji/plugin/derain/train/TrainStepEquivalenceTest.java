package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.DerainNet;
import fiji.plugin.derain.testutil.Fixtures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three consecutive training steps of the real trainer ({@link DerainTrainer#step} on given batches, with
 * {@link DerainNetTrainable} on the real network: ngf 4, 1 block, patch 164, batch 2, seeded weights, offsets of
 * (k + ½) ± ~0.2 px so the deformable sampling and its offset gradients matter) equal PyTorch's
 * (tools/make_step_fixture.py, computed in float64) for LeakyReLU with BatchNorm training, LeakyReLU with frozen
 * BatchNorm (freeze_bn: eval-mode forward, running statistics and num_batches_tracked unchanged, weights learning)
 * and Mish with BatchNorm training, each with gradient checkpointing of the residual blocks on and off. The learning
 * rate follows the config's schedule (1 epoch of 3 steps, no warm-up, cosine 2e-4 → 1e-6, offsets at a tenth),
 * which the script replicates. Per step:
 * <ul>
 * <li>every parameter's gradient after backward and before Adam (read through {@link DerainTrainer.StepObserver}):
 * at the fixture's sample of up to 128 elements per tensor {@code max|g_java − g_torch| ≤ GRAD_REL·max|g_torch| +
 * GRAD_ABS}, and over the whole tensor max |g|, sum |g|, ‖g‖₂ to GRAD_REL relative and sum g to GRAD_REL of sum |g|
 * (the fixture keeps a sample, not whole gradients, to stay under 300 KB);</li>
 * <li>the loss terms (1 − MS-SSIM, L1, rain-robust, total) to LOSS_REL;</li>
 * <li>the state after the step: the sampled weights to WEIGHT_ABS (0.5% of a step at lr 2e-4), the step's update
 * over each whole tensor (max |Δ|, sum |Δ|) to DELTA_REL (catches a wrong learning rate for a group), the
 * BatchNorm running statistics to BUFFER_REL of their largest magnitude, num_batches_tracked exactly;</li>
 * <li>checkpointing on and off give the same gradients: at step 0 (same weights, same batch) to CHECKPOINT_REL of
 * each tensor's max |g|; later steps start from weights that differ by rounding (libtorch's threaded reductions
 * do not always sum in the same order, and Adam moves a weight by about lr·sign(g) when |g| is tiny, so an ulp in
 * a tiny gradient is a visible weight difference), so they are held to CHECKPOINT_LATER_REL.</li>
 * </ul>
 * Measured worst cases (max over the 3 steps and all tensors of sampled max|g_java − g_torch| / max|g_torch|),
 * identical with checkpointing on and off: leaky_bn 3.1e-5, leaky_frozen 1.27e-4 (step 2,
 * residual_blocks.0.conv_block.5.modulator_conv.bias), mish_bn 3.2e-5; so GRAD_REL is 5e-4. That is float32
 * rounding, not an error: PyTorch's own float32 gradients differ from its float64 ones by up to 1.45e-4 of max |g|
 * on the same steps (the script prints it). Checkpointing on vs off: 0 to 5.7e-7 at step 0 (bit-identical in some
 * runs), up to 1.6e-5 at steps 1-2.
 * Sampled weights after a step: 1.2e-7; update statistics: 7.6e-3 relative (float32 weights − float32 weights);
 * running statistics: 1.0e-6 relative; losses within 1e-5. Mutations tried (and reverted): LeakyReLU's slope
 * ×1.01 fails every loss term and 100+ gradients (up to 4e-2 of max |g|); scaling the checkpointed blocks'
 * backward by 1.001 (losses untouched) fails 43 gradients (encoder and blocks, up to ~1e-3 of max |g|). Sample positions are kept 0.1 px or more from whole
 * pixels (the script asserts it), where bilinear sampling's derivative jumps: an offset within float32 rounding of
 * an integer made float32 and float64 gradients disagree by 4e-3 in an earlier draft. Runs in about 15 s.
 */
class TrainStepEquivalenceTest {
	static final int PATCH = 164, BATCH = 2, STEPS = 3;
	static final double GRAD_REL = 5e-4, GRAD_ABS = 1e-9, LOSS_REL = 1e-5, WEIGHT_ABS = 1e-6, DELTA_REL = 3e-2,
		BUFFER_REL = 5e-6, CHECKPOINT_REL = 5e-6, CHECKPOINT_LATER_REL = 1e-4;

	@TempDir
	static Path tmp;
	static NDManager fixtureManager;
	static Map<String, NDArray> fixture;
	static PairDataset data;

	@BeforeAll
	static void load() throws IOException {
		fixtureManager = NDManager.newBaseManager();
		fixture = Fixtures.load(fixtureManager, "train/step.safetensors");
		Path root = tmp.resolve("gt"); // the trainer wants a dataset; the steps below get their batches directly
		for (int s = 0; s < BATCH; s++) {
			PairDatasetTest.rgb(root.resolve("S" + s + "/S" + s + "-Webcam-R-000.png"), 8, 8, 10 * s);
			PairDatasetTest.rgb(root.resolve("S" + s + "/S" + s + "-Webcam-C-000.png"), 8, 8, 10 * s + 5);
		}
		data = PairDataset.gtRain(root);
	}

	@AfterAll
	static void close() {
		fixtureManager.close();
	}

	@Test
	void leakyReluWithBatchNormTraining() throws IOException {
		check("leaky_bn", DerainConfig.Activation.LEAKY, false);
	}

	@Test
	void leakyReluWithFrozenBatchNorm() throws IOException {
		check("leaky_frozen", DerainConfig.Activation.LEAKY, true);
	}

	@Test
	void mishWithBatchNormTraining() throws IOException {
		check("mish_bn", DerainConfig.Activation.MISH, false);
	}

	/** Runs the case with checkpointing on and off, each against PyTorch, then the two against each other. */
	private void check(String name, DerainConfig.Activation activation, boolean frozen) throws IOException {
		TrainConfig config = TrainConfig.defaults().with(b -> {
			b.net = new DerainConfig(4, 1, activation, DerainConfig.Norm.BATCH, DerainConfig.Init.NORMAL);
			b.batchSize = BATCH;
			b.patchSize = PATCH;
			b.epochs = 1; // 3 steps, no warm-up, cosine 2e-4 → 1e-6 (lr/10 for offsets): the script's schedule
			b.stepsPerEpoch = STEPS;
			b.warmupEpochs = 0;
			b.rainProbability = 0;
			b.rotationStdDegrees = 0;
			b.freezeBatchNorm = frozen;
		});
		List<Map<String, float[]>> on = run(name, config, true), off = run(name, config, false);
		double worst = 0, later = 0;
		String where = "";
		for (int s = 0; s < STEPS; s++)
			for (String p : on.get(s).keySet()) {
				float[] a = on.get(s).get(p), b = off.get(s).get(p);
				double d = maxAbsDiff(a, b), scale = maxAbs(b);
				if (s == 0 && d / scale > worst) {
					worst = d / scale;
					where = p;
				}
				if (s > 0) later = Math.max(later, d / scale);
				double tolerance = s == 0 ? CHECKPOINT_REL : CHECKPOINT_LATER_REL;
				assertTrue(d <= tolerance * scale, name + ", step " + s + ": the gradient of " + p
					+ " differs between checkpointing on and off by " + d + " (max |g| " + scale + ")");
			}
		System.out.printf("%s: checkpointing on vs off, worst gradient difference / max|g| %.3g at step 0 (%s), "
			+ "%.3g at steps 1-2%n", name, worst, where, later);
	}

	/** The three steps through the trainer; returns each step's gradients (full tensors) by parameter name. */
	private List<Map<String, float[]>> run(String name, TrainConfig config, boolean checkpointBlocks)
		throws IOException {
		String label = name + ", checkpointing " + (checkpointBlocks ? "on" : "off");
		List<Map<String, float[]>> gradients = new ArrayList<>();
		Measured measured = new Measured();
		try (NDManager m = NDManager.newBaseManager()) {
			DerainNet net = DerainNet.build(config.net());
			net.initialize(m, DataType.FLOAT32, new Shape(1, 3, PATCH, PATCH));
			net.loadStateDict(prefixed("init/"));
			DerainNetTrainable trainable = new DerainNetTrainable(net, m, checkpointBlocks);
			DerainTrainer trainer = new DerainTrainer(config, trainable, data, null, new ImageCache(0), m);
			List<String> params = List.copyOf(trainable.parameters().keySet());
			assertEquals(names("param_names"), params, "parameter order of the fixture");
			trainer.observe(new DerainTrainer.StepObserver() {
				@Override
				public void gradients(Map<String, NDArray> parameters) {
					Map<String, float[]> g = new LinkedHashMap<>();
					parameters.forEach((n, p) -> {
						try (NDArray grad = p.getGradient()) {
							g.put(n, grad.toFloatArray());
						}
					});
					gradients.add(g);
				}
			});
			Map<String, float[]> previous = new LinkedHashMap<>();
			for (String p : params) previous.put(p, fixture.get("init/" + p).toFloatArray());
			for (int s = 0; s < STEPS; s++) {
				BatchSampler.Batch batch = batch(s);
				assertEquals(fixture.get("batch_sum").toDoubleArray()[2 * s], sum(batch.rainy()), "sum of step " + s
					+ "'s rainy batch (the script's hash images)");
				assertEquals(fixture.get("batch_sum").toDoubleArray()[2 * s + 1], sum(batch.clean()), "sum of step "
					+ s + "'s clean batch");
				String at = label + ", step " + s;
				String key = name + "/" + s + "/";
				DerainTrainer.StepResult r = trainer.step(batch);
				assertEquals(s + 1, trainer.step());
				// everything that differs at this step, in one message: losses, then gradients, then the state after
				List<String> failures = new ArrayList<>();
				checkLoss("1 − MS-SSIM", key + "loss/ssim", r.ssim(), failures);
				checkLoss("L1", key + "loss/l1", r.l1(), failures);
				checkLoss("rain-robust", key + "loss/robust", r.robust(), failures);
				checkLoss("total", key + "loss/total", r.total(), failures);
				checkGradients(key, params, gradients.get(s), measured, at, failures);
				checkState(key, params, net.stateDict(), previous, measured, failures);
				if (!failures.isEmpty())
					fail(at + ": " + failures.size() + " difference(s) from PyTorch (gradient tolerance " + GRAD_REL
						+ " of max |g_torch| + " + GRAD_ABS + "):\n  " + String.join("\n  ",
							failures.subList(0, Math.min(30, failures.size())))
						+ (failures.size() > 30 ? "\n  ... and " + (failures.size() - 30) + " more" : ""));
			}
		}
		System.out.printf("%s: worst gradient |Δ|/max|g_torch| %.3g (%s), weights |Δ| %.3g, update stats %.3g, "
			+ "buffers %.3g%n", label, measured.grad, measured.gradWhere, measured.weight, measured.delta,
			measured.buffer);
		return gradients;
	}

	/** Worst cases seen, for the report (the assertions use the constants). */
	private static final class Measured {
		double grad, weight, delta, buffer;
		String gradWhere = "";
	}

	private static void checkLoss(String what, String key, double actual, List<String> failures) {
		double expected = fixture.get(key).toDoubleArray()[0];
		if (!(Math.abs(actual - expected) <= LOSS_REL * Math.abs(expected)))
			failures.add(what + " loss is " + actual + ", PyTorch " + expected);
	}

	private static void checkGradients(String key, List<String> params, Map<String, float[]> grads, Measured w,
		String at, List<String> failures) {
		float[] sampled = fixture.get(key + "grad").toFloatArray();
		double[] stats = fixture.get(key + "gradstat").toDoubleArray();
		int offset = 0;
		for (int i = 0; i < params.size(); i++) {
			String p = params.get(i);
			float[] g = grads.get(p);
			long[] idx = fixture.get("idx/" + p).toLongArray();
			double maxAbs = stats[4 * i], sumAbs = stats[4 * i + 1], sum = stats[4 * i + 2], norm = stats[4 * i + 3];
			double worst = 0;
			long worstAt = -1;
			for (int j = 0; j < idx.length; j++) {
				double d = Math.abs(g[(int) idx[j]] - sampled[offset + j]);
				if (d > worst) {
					worst = d;
					worstAt = idx[j];
				}
			}
			offset += idx.length;
			if (worst / maxAbs > w.grad) {
				w.grad = worst / maxAbs;
				w.gradWhere = at.substring(at.lastIndexOf(", ") + 2) + ", " + p;
			}
			if (worst > GRAD_REL * maxAbs + GRAD_ABS)
				failures.add(String.format("gradient of %s: max |g_java − g_torch| %.3g at element %d, %.3g of max |g_torch| %.3g",
					p, worst, worstAt, worst / maxAbs, maxAbs));
			double[] java = stats(g);
			double tolerance = GRAD_REL * maxAbs + GRAD_ABS;
			if (Math.abs(java[0] - maxAbs) > tolerance || Math.abs(java[1] - sumAbs) > GRAD_REL * sumAbs
				|| Math.abs(java[2] - sum) > GRAD_REL * sumAbs || Math.abs(java[3] - norm) > GRAD_REL * norm)
				failures.add(String.format("gradient of %s: whole-tensor max |g|, sum |g|, sum g, |g|₂ are %.6g %.6g %.6g %.6g, "
					+ "PyTorch %.6g %.6g %.6g %.6g", p, java[0], java[1], java[2], java[3], maxAbs, sumAbs, sum, norm));
		}
		assertEquals(sampled.length, offset, "sampled gradient elements in the fixture");
	}

	/** @param previous the Java run's weights before the step, replaced by those after it */
	private static void checkState(String key, List<String> params, Map<String, NDArray> state,
		Map<String, float[]> previous, Measured w, List<String> failures) {
		float[] sampled = fixture.get(key + "after").toFloatArray();
		double[] deltas = fixture.get(key + "deltastat").toDoubleArray();
		int offset = 0;
		for (int i = 0; i < params.size(); i++) {
			String p = params.get(i);
			float[] now = state.get(p).toFloatArray();
			long[] idx = fixture.get("idx/" + p).toLongArray();
			double worst = 0;
			for (int j = 0; j < idx.length; j++)
				worst = Math.max(worst, Math.abs(now[(int) idx[j]] - sampled[offset + j]));
			offset += idx.length;
			w.weight = Math.max(w.weight, worst);
			if (worst > WEIGHT_ABS) failures.add(String.format("after the step, %s: sampled weights differ by up to %.3g", p, worst));
			float[] before = previous.put(p, now);
			double maxDelta = 0, sumDelta = 0;
			for (int j = 0; j < now.length; j++) {
				double d = Math.abs((double) now[j] - before[j]);
				maxDelta = Math.max(maxDelta, d);
				sumDelta += d;
			}
			double e = Math.max(Math.abs(maxDelta - deltas[2 * i]) / deltas[2 * i],
				Math.abs(sumDelta - deltas[2 * i + 1]) / deltas[2 * i + 1]);
			w.delta = Math.max(w.delta, e);
			if (e > DELTA_REL)
				failures.add(String.format("after the step, %s: the update's max |Δ|, sum |Δ| are %.6g %.6g, PyTorch %.6g %.6g", p,
					maxDelta, sumDelta, deltas[2 * i], deltas[2 * i + 1]));
		}
		float[] running = fixture.get(key + "running").toFloatArray();
		long[] tracked = fixture.get(key + "num_batches_tracked").toLongArray();
		int r = 0, t = 0;
		for (String b : names("buffer_names")) {
			NDArray a = state.get(b);
			if (b.endsWith(".num_batches_tracked")) {
				long java = a.toLongArray()[0];
				if (java != tracked[t]) failures.add("after the step, " + b + " is " + java + ", PyTorch " + tracked[t]);
				t++;
				continue;
			}
			float[] v = a.toFloatArray();
			double worst = 0, scale = 0;
			for (int j = 0; j < v.length; j++) {
				worst = Math.max(worst, Math.abs(v[j] - running[r + j]));
				scale = Math.max(scale, Math.abs(running[r + j]));
			}
			r += v.length;
			w.buffer = Math.max(w.buffer, worst / scale);
			if (worst > BUFFER_REL * scale)
				failures.add(String.format("after the step, %s differs by up to %.3g (max |value| %.3g)", b, worst, scale));
		}
		assertEquals(running.length, r, "running-statistics elements in the fixture");
	}

	private static double[] stats(float[] g) {
		double max = 0, sumAbs = 0, sum = 0, sq = 0;
		for (float v : g) {
			max = Math.max(max, Math.abs(v));
			sumAbs += Math.abs(v);
			sum += v;
			sq += (double) v * v;
		}
		return new double[] {max, sumAbs, sum, Math.sqrt(sq)};
	}

	private static Map<String, NDArray> prefixed(String prefix) {
		Map<String, NDArray> out = new LinkedHashMap<>();
		fixture.forEach((k, v) -> {
			if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
		});
		return out;
	}

	private static List<String> names(String key) {
		byte[] b = fixture.get(key).toByteArray();
		return Arrays.asList(new String(b, StandardCharsets.UTF_8).split("\n"));
	}

	private static double sum(float[] a) {
		double t = 0;
		for (float v : a) t += v;
		return t;
	}

	private static double maxAbs(float[] a) {
		double m = 0;
		for (float v : a) m = Math.max(m, Math.abs(v));
		return m;
	}

	private static double maxAbsDiff(float[] a, float[] b) {
		double m = 0;
		for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
		return m;
	}

	// ------------------------------------------------------------------ the batches (as make_step_fixture.py)

	/** Step {@code s}'s batch: the script's {@code batch(s)}, bit for bit. */
	static BatchSampler.Batch batch(int s) {
		int per = 3 * PATCH * PATCH;
		float[] rainy = new float[BATCH * per], clean = new float[BATCH * per];
		for (int b = 0; b < BATCH; b++) {
			int[][] u8 = batchU8(s, b);
			for (int i = 0; i < per; i++) {
				rainy[b * per + i] = (float) (u8[0][i] / 127.5 - 1);
				clean[b * per + i] = (float) (u8[1][i] / 127.5 - 1);
			}
		}
		return new BatchSampler.Batch(rainy, clean, BATCH, PATCH, List.of());
	}

	/** lowbias32. */
	static int mix(int x) {
		x ^= x >>> 16;
		x *= 0x7FEB352D;
		x ^= x >>> 15;
		x *= 0x846CA68B;
		x ^= x >>> 16;
		return x;
	}

	/** mix(...mix(mix(k0) + k1)... + kn) as an unsigned value. */
	static long h(int... keys) {
		int x = mix(keys[0]);
		for (int i = 1; i < keys.length; i++) x = mix(x + keys[i]);
		return Integer.toUnsignedLong(x);
	}

	/** [rainy, clean] planar (3, P, P) in [0, 255]: the script's {@code batch_u8}. */
	static int[][] batchU8(int step, int b) {
		int n = PATCH * PATCH;
		int[] clean = new int[3 * n], rainy = new int[3 * n];
		for (int c = 0; c < 3; c++)
			for (int y = 0; y < PATCH; y++)
				for (int x = 0; x < PATCH; x++) {
					int i0 = y / 8, dy = y % 8, j0 = x / 8, dx = x % 8;
					long v = (h(step, b, c, i0, j0) & 255) * (8 - dy) * (8 - dx)
						+ (h(step, b, c, i0 + 1, j0) & 255) * dy * (8 - dx)
						+ (h(step, b, c, i0, j0 + 1) & 255) * (8 - dy) * dx
						+ (h(step, b, c, i0 + 1, j0 + 1) & 255) * dy * dx;
					long tex = (h(step, b, c + 3, y, x) & 31) - 16;
					clean[c * n + y * PATCH + x] = (int) Math.min(255, Math.max(0, (v + 32) / 64 + tex));
				}
		for (int y = 0; y < PATCH; y++)
			for (int x = 0; x < PATCH; x++) {
				boolean streak = h(step, b, 7, x, y / 6) % 29 == 0;
				for (int c = 0; c < 3; c++) {
					int i = c * n + y * PATCH + x;
					rainy[i] = streak ? Math.min(clean[i] + 160, 255) : clean[i];
				}
			}
		return new int[][] {rainy, clean};
	}
}
