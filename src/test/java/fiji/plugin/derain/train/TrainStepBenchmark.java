package fiji.plugin.derain.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import fiji.plugin.derain.engine.NativeMemory;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.DerainConfig.Activation;
import fiji.plugin.derain.net.DerainConfig.Init;
import fiji.plugin.derain.net.DerainConfig.Norm;
import fiji.plugin.derain.net.DerainNet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU benchmark of one GT-RAIN training step of {@link DerainNet} with the project's own losses and optimizer,
 * against the weights, batch and reference timings written by bench/bench_train.py (run through
 * bench/bench_train.sh; not a unit test). A step is what {@link DerainTrainer#trainStep()} does, minus batch
 * sampling: forward of [rainy; clean] in training mode, {@link DerainLosses#total} with GT-RAIN's weights,
 * backward, {@link Adam} at lr 2e-4 (offset/modulator parameters at {@link LearningRateSchedule#groupScale}),
 * then {@link DerainNet#zeroGradients()}. The learning rate is constant so that both sides do the same steps.
 * Prints, per case, the median and min of the timed steps, the loss of every step next to PyTorch's (same
 * weights and batch: the first losses agree to float rounding, later ones also check backward and Adam) and the
 * peak RSS; writes WORKDIR/java_train.json.
 * <p>
 * Usage: {@code java -cp ... fiji.plugin.derain.train.TrainStepBenchmark WORKDIR [CASE...]} (default: every case
 * of WORKDIR/reference_train.json that the reference did not skip). Warm-up and timed step counts are the
 * reference's.
 */
public final class TrainStepBenchmark {
	private static final double LR = 2e-4;
	/** -Dbench.record=true: record the whole graph instead of checkpointing the residual blocks (as before issue 8). */
	private static final boolean CHECKPOINT_BLOCKS = !Boolean.getBoolean("bench.record");
	/** -Dbench.profile=FILE: libtorch's profiler over the last step, as a Chrome trace (per-op times). */
	private static final String PROFILE = System.getProperty("bench.profile");

	private TrainStepBenchmark() {}

	public static void main(String[] args) throws IOException {
		NativeMemory.preferHugePages(); // as the training commands run (Engines does this before libtorch starts)
		Path dir = Paths.get(args.length > 0 ? args[0] : "/tmp/derain-bench-train");
		JsonObject reference = JsonParser.parseString(Files.readString(dir.resolve("reference_train.json")))
			.getAsJsonObject().getAsJsonObject("cases");
		String[] cases = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
			: reference.keySet().toArray(new String[0]);
		JsonObject results = new JsonObject();
		results.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
		results.addProperty("threads", JniUtils.getNumThreads());
		JsonObject caseResults = new JsonObject();
		results.add("cases", caseResults);
		for (String name : cases) {
			JsonObject ref = reference.getAsJsonObject(name);
			if (ref == null)
				throw new IllegalArgumentException("case " + name + " is not in " + dir.resolve("reference_train.json")
					+ ": run bench/bench_train.py with it first");
			if (ref.has("skipped")) {
				System.out.printf(Locale.ROOT, "java      %-20s SKIPPED (as the reference): %s%n", name,
					ref.get("skipped").getAsString());
				continue;
			}
			caseResults.add(name, runCase(dir, name, ref));
		}
		Files.writeString(dir.resolve("java_train.json"), new GsonBuilder().setPrettyPrinting().create().toJson(results));
	}

	private static JsonObject runCase(Path dir, String name, JsonObject ref) throws IOException {
		int ngf = ref.get("ngf").getAsInt(), blocks = ref.get("blocks").getAsInt();
		int size = ref.get("size").getAsInt(), batch = ref.get("batch").getAsInt();
		int warmup = ref.get("warmup").getAsInt(), steps = ref.get("steps").getAsInt();
		DerainConfig netConfig = new DerainConfig(ngf, blocks, Activation.LEAKY, Norm.BATCH, Init.NORMAL);
		// GT-RAIN's loss weights (1, 0.1, 0.1) and temperature 0.25 come from the defaults
		TrainConfig config = TrainConfig.defaults().with(b -> {
			b.net = netConfig;
			b.batchSize = batch;
			b.patchSize = size;
		});
		resetPeakRss();
		double[] times = new double[steps];
		double[] losses = new double[warmup + steps];
		try (NDManager manager = NDManager.newBaseManager()) {
			Map<String, NDArray> weights = load(manager, dir.resolve(name + ".safetensors"));
			NDArray both = weights.remove("rainy").concat(weights.remove("clean"), 0); // [rainy; clean]
			DerainNet net = DerainNet.create(netConfig, manager);
			net.loadStateDict(weights);
			DerainNetTrainable trainable = new DerainNetTrainable(net, manager, CHECKPOINT_BLOCKS);
			Map<String, NDArray> params = trainable.parameters();
			Adam adam = Adam.torchDefaults(manager, config.weightDecay());
			for (int i = 0; i < warmup + steps; i++) {
				try (NDManager step = manager.newSubManager()) {
					NDArray input = both.duplicate(); // the step's arrays all derive from it: closed with the step
					input.attach(step);
					long t = System.nanoTime();
					boolean profile = PROFILE != null && i == warmup + steps - 1;
					if (profile) JniUtils.startProfile(false, false, false);
					losses[i] = trainStep(trainable, params, adam, input, batch, config);
					if (profile) JniUtils.stopProfile(PROFILE);
					net.zeroGradients();
					// libtorch's CPU ops are synchronous: the step is done when this returns
					if (i >= warmup) times[i - warmup] = (System.nanoTime() - t) / 1e9;
				}
			}
		}
		double peakGb = peakRssBytes() / 1e9;
		double median = median(times), min = Arrays.stream(times).min().getAsDouble();
		JsonArray refLosses = ref.getAsJsonArray("losses");
		System.out.printf(Locale.ROOT, "java      %-20s median %.3f s/step  min %.3f s  (steps %s)  peak RSS %.1f GB  (%s)%n",
			name, median, min, format(times), peakGb, CHECKPOINT_BLOCKS ? "residual blocks checkpointed" : "whole graph recorded");
		double firstDiff = Math.abs(losses[0] - refLosses.get(0).getAsDouble());
		for (int i = 0; i < losses.length; i++) {
			double r = refLosses.get(i).getAsDouble();
			System.out.printf(Locale.ROOT, "    loss of step %d: java %.6f  reference %.6f  |diff| %.1e%n", i, losses[i],
				r, Math.abs(losses[i] - r));
		}
		JsonObject out = new JsonObject();
		out.add("times_s", toJson(times));
		out.addProperty("median_s", median);
		out.addProperty("min_s", min);
		out.add("losses", toJson(losses));
		out.addProperty("first_loss_diff", firstDiff);
		out.addProperty("peak_rss_gb", peakGb);
		return out;
	}

	/**
	 * One GT-RAIN step as {@link DerainTrainer#trainStep()} takes it, on a fixed batch.
	 *
	 * @param input [rainy; clean], (2B, 3, S, S) in [-1, 1]; everything derived from it stays in its manager
	 * @return the loss before the update
	 */
	private static double trainStep(DerainNetTrainable net, Map<String, NDArray> params, Adam adam, NDArray input,
		int batch, TrainConfig config) {
		DerainLosses.Terms terms;
		try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
			TrainableNet.Pass pass = net.forwardTraining(input, true);
			NDList out = pass.outputs();
			NDArray image = out.get(0).get("0:" + batch);
			terms = DerainLosses.total(image, input.get(batch + ":"), input.get("0:" + batch), out.get(1), config);
			pass.backward(gc, terms.total());
		}
		adam.step(params, p -> LR * LearningRateSchedule.groupScale(p));
		return terms.total().getFloat();
	}

	/** Resets the kernel's peak-RSS counter (VmHWM) so each case reports its own peak; best effort. */
	private static void resetPeakRss() {
		try {
			Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
		} catch (IOException | UnsupportedOperationException e) {
			// not Linux, or not permitted: the peak then covers the earlier cases too
		}
	}

	/** VmHWM of /proc/self/status in bytes, or NaN where there is none. */
	private static double peakRssBytes() {
		try {
			for (String line : Files.readAllLines(Paths.get("/proc/self/status")))
				if (line.startsWith("VmHWM:")) return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
		} catch (IOException e) {
			// not Linux
		}
		return Double.NaN;
	}

	private static Map<String, NDArray> load(NDManager manager, Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			Map<String, NDArray> map = new LinkedHashMap<>();
			for (NDArray a : NDList.decode(manager, in)) map.put(a.getName(), a);
			return map;
		}
	}

	private static JsonArray toJson(double[] v) {
		JsonArray a = new JsonArray();
		for (double d : v) a.add(d);
		return a;
	}

	private static String format(double[] v) {
		StringBuilder s = new StringBuilder();
		for (double d : v) s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", d));
		return s.toString();
	}

	private static double median(double[] v) {
		double[] s = v.clone();
		Arrays.sort(s);
		return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
	}
}
