package fiji.plugin.derain.net;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import fiji.plugin.derain.net.DerainConfig.Activation;
import fiji.plugin.derain.net.DerainConfig.Init;
import fiji.plugin.derain.net.DerainConfig.Norm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU benchmark of one eval forward of {@link DerainNet}, against the weights, input and reference output
 * written by bench/bench_net.py (run through bench/bench_net.sh, not a unit test). Prints the median of 3
 * forwards per case, the max difference to PyTorch's output, and a per-stage profile; writes
 * WORKDIR/java.json.
 * <p>
 * Usage: {@code java -cp ... fiji.plugin.derain.net.NetBenchmark WORKDIR}
 */
public final class NetBenchmark {
	private static final int REPEATS = Integer.parseInt(System.getenv().getOrDefault("REPEATS", "3"));
	private static final String[][] CASES = {{"ngf64_b9_256x256", "64", "9"}, {"ngf16_b6_1024x768", "16", "6"}};

	private NetBenchmark() {}

	public static void main(String[] args) throws IOException {
		Path dir = Paths.get(args.length > 0 ? args[0] : "/tmp/derain-bench");
		StringBuilder json = new StringBuilder("{\n \"engine\": \"" + Engine.getInstance().getEngineName() + " "
			+ Engine.getInstance().getVersion() + "\"");
		for (String[] c : CASES) {
			DerainConfig config = new DerainConfig(Integer.parseInt(c[1]), Integer.parseInt(c[2]), Activation.LEAKY,
				Norm.BATCH, Init.NORMAL);
			try (NDManager manager = NDManager.newBaseManager()) {
				Map<String, NDArray> file = load(manager, dir.resolve(c[0] + ".safetensors"));
				DerainNet net = DerainNet.create(config, manager);
				Map<String, NDArray> weights = new LinkedHashMap<>(file);
				NDArray x = weights.remove("x"), image = weights.remove("image"), features = weights.remove("features");
				net.loadStateDict(weights);
				ParameterStore ps = new ParameterStore(manager, false);
				double[] times = new double[REPEATS];
				double diff = 0;
				for (int i = 0; i < REPEATS; i++) {
					try (NDManager run = manager.newSubManager()) {
						NDArray input = x.duplicate();
						input.attach(run);
						long t = System.nanoTime();
						NDList out = net.forward(ps, new NDList(input), false);
						// libtorch's CPU ops are synchronous: the work is done when forward returns
						times[i] = (System.nanoTime() - t) / 1e9;
						diff = Math.max(out.get(0).sub(image).abs().max().getFloat(),
							out.get(1).sub(features).abs().max().getFloat());
					}
				}
				double median = median(times), min = Arrays.stream(times).min().getAsDouble();
				System.out.printf(Locale.ROOT, "java      %-20s median %.3f s  min %.3f s  (runs %s)  max |diff| to PyTorch %.2e%n",
					c[0], median, min, Arrays.toString(times), diff);
				Map<String, Double> profile = profile(net, ps, x, manager);
				profile.forEach((k, v) -> System.out.printf(Locale.ROOT, "    %-22s %.3f s%n", k, v));
				double floor = gemmFloor(manager, x.getShape(), config);
				System.out.printf(Locale.ROOT, "    %-22s %.3f s (the deformable convs' matrix products alone, whole)%n",
					"GEMM floor", floor);
				json.append(String.format(Locale.ROOT, ",\n \"%s\": {\"median_s\": %.4f, \"min_s\": %.4f, \"max_diff\": %.3e, "
					+ "\"gemm_floor_s\": %.4f, \"profile_s\": {", c[0], median, min, diff, floor));
				List<String> parts = new ArrayList<>();
				profile.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "\"%s\": %.4f", k, v)));
				json.append(String.join(", ", parts)).append("}}");
			}
		}
		Files.writeString(dir.resolve("java.json"), json.append("\n}\n").toString());
	}

	/**
	 * Median seconds of the matrix products that the network's deformable convs cannot avoid: per conv (two per
	 * residual block), (pixels at quarter resolution, 9·C) × (9·C, C) with C = 4·ngf, as one product each on random
	 * values, as the convs run them ({@link DeformableConv2d#rowProduct}). Whatever else a forward does comes on top,
	 * so forward / reference can be no lower than this / reference.
	 */
	private static double gemmFloor(NDManager manager, Shape input, DerainConfig config) {
		long pixels = (input.get(2) / 4) * (input.get(3) / 4), c = 4L * config.ngf();
		double[] times = new double[REPEATS];
		try (NDManager m = manager.newSubManager()) {
			NDArray columns = m.randomUniform(-1, 1, new Shape(pixels, 9 * c)), kernel = m.randomUniform(-1, 1, new Shape(c, 9 * c, 1, 1));
			for (int i = 0; i < REPEATS; i++) {
				long t = System.nanoTime();
				for (int k = 0; k < 2 * config.nBlocks(); k++)
					try (NDManager product = m.newSubManager()) {
						DeformableConv2d.rowProduct(columns, kernel, product);
					}
				times[i] = (System.nanoTime() - t) / 1e9;
			}
		}
		return median(times);
	}

	/** Seconds per stage kind in one forward, running the network's own blocks one by one. */
	private static Map<String, Double> profile(DerainNet net, ParameterStore ps, NDArray x, NDManager manager) {
		Map<String, Double> t = new LinkedHashMap<>();
		try (NDManager run = manager.newSubManager()) {
			NDArray in = x.duplicate();
			in.attach(run);
			NDArray x0 = time(t, "ConvBlock (encoder)", () -> net.initialConv1.forward(ps,
				net.initialConv0.forward(ps, in, false), false));
			NDArray x1 = time(t, "ConvBlock (encoder)", () -> net.downsample1.forward(ps, x0, false));
			NDArray r = time(t, "ConvBlock (encoder)", () -> net.downsample2.forward(ps, x1, false));
			for (DeformableResBlock b : net.residualBlocks) {
				NDArray input = r;
				NDArray p1 = time(t, "ResBlock: pad", () -> b.pad1.forward(ps, new NDList(input), false).head());
				NDArray d1 = time(t, "ResBlock: DeformableConv2d", () -> b.deform1.forward(ps, new NDList(p1), false).head());
				NDArray a1 = time(t, "ResBlock: norm+act", () -> b.act.forward(ps, b.norm1.forward(ps, new NDList(d1), false), false).head());
				NDArray p2 = time(t, "ResBlock: pad", () -> b.pad2.forward(ps, new NDList(a1), false).head());
				NDArray d2 = time(t, "ResBlock: DeformableConv2d", () -> b.deform2.forward(ps, new NDList(p2), false).head());
				r = time(t, "ResBlock: norm+sum", () -> input.add(b.norm2.forward(ps, new NDList(d2), false).head()));
			}
			NDArray res = r;
			time(t, "features", () -> DerainNet.pool2x2(res));
			NDArray u2 = decoder(t, net.upsample2, ps, res, x1);
			NDArray u1 = decoder(t, net.upsample1, ps, u2, x0);
			time(t, "OutputConv", () -> net.outputConv.forward(ps, u1, false));
		}
		return t;
	}

	private static NDArray decoder(Map<String, Double> t, DecoderBlock d, ParameterStore ps, NDArray x, NDArray skip) {
		NDArray up = time(t, "Decoder: upsample", () -> DecoderBlock.upsample2x(x));
		NDArray y = convBlock(t, d.deconv, ps, up);
		NDArray cat = time(t, "Decoder: concat", () -> y.concat(skip, 1));
		return convBlock(t, d.conv, ps, cat);
	}

	private static NDArray convBlock(Map<String, Double> t, ConvNormAct b, ParameterStore ps, NDArray x) {
		NDArray p = time(t, "Decoder: pad", () -> b.pad.forward(ps, new NDList(x), false).head());
		NDArray c = time(t, "Decoder: conv", () -> b.conv.forward(ps, new NDList(p), false).head());
		NDArray n = time(t, "Decoder: norm", () -> b.norm.forward(ps, new NDList(c), false).head());
		return time(t, "Decoder: act", () -> b.act.forward(ps, new NDList(n), false).head());
	}

	private static NDArray time(Map<String, Double> totals, String what, Supplier<NDArray> step) {
		long t = System.nanoTime();
		NDArray y = step.get(); // synchronous on the CPU
		totals.merge(what, (System.nanoTime() - t) / 1e9, Double::sum);
		return y;
	}

	private static Map<String, NDArray> load(NDManager manager, Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			Map<String, NDArray> map = new LinkedHashMap<>();
			for (NDArray a : NDList.decode(manager, in)) map.put(a.getName(), a);
			return map;
		}
	}

	private static double median(double[] v) {
		double[] s = v.clone();
		Arrays.sort(s);
		return s[s.length / 2];
	}
}
