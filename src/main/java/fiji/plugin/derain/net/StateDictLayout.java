package fiji.plugin.derain.net;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GT-RAIN state-dict: every tensor name of the network (GT-RAIN's own names, without the
 * {@code resnet.} or {@code module.} prefixes of the official checkpoints) and its shape, in the order
 * PyTorch lists them. This is the one naming scheme of the project: checkpoint import, our weight
 * files and export all use it. An empty shape ({@code long[0]}) is a scalar ({@code num_batches_tracked}).
 */
public final class StateDictLayout {
	private StateDictLayout() {}

	/** Number of taps of the 3×3 deformable kernel; offsets have 2 channels per tap, modulators 1. */
	public static final int TAPS = 9;

	/** Expected names and shapes for {@code config}, in state-dict order. */
	public static Map<String, long[]> of(DerainConfig config) {
		Builder b = new Builder(config);
		int ngf = config.ngf();
		b.convNorm("initial_conv.0.conv", 3, ngf, 7);
		b.convNorm("initial_conv.1.conv", ngf, ngf, 3);
		b.convNorm("downsample_1.conv", ngf, 2 * ngf, 3);
		b.convNorm("downsample_2.conv", 2 * ngf, 4 * ngf, 3);
		for (int i = 0; i < config.nBlocks(); i++) {
			String p = "residual_blocks." + i + ".conv_block.";
			b.deformable(p + "1", 4 * ngf);
			b.norm(p + "2", 4 * ngf);
			b.deformable(p + "5", 4 * ngf);
			b.norm(p + "6", 4 * ngf);
		}
		b.decoder("upsample_2", 4 * ngf, 2 * ngf);
		b.decoder("upsample_1", 2 * ngf, ngf);
		b.put("output_conv_naive.1.weight", 3, ngf, 3, 3);
		b.put("output_conv_naive.1.bias", 3);
		return Collections.unmodifiableMap(b.shapes);
	}

	/**
	 * Checks that {@code actual} (name → shape) holds exactly the tensors of {@code config}.
	 *
	 * @param source names the file or object in the message
	 * @throws IllegalArgumentException listing the missing and unexpected names, or naming the first key whose
	 *         shape differs with both shapes
	 */
	public static void verify(DerainConfig config, Map<String, long[]> actual, String source) {
		Map<String, long[]> expected = of(config);
		java.util.List<String> missing = new java.util.ArrayList<>();
		java.util.List<String> extra = new java.util.ArrayList<>();
		for (String k : expected.keySet())
			if (!actual.containsKey(k)) missing.add(k);
		for (String k : actual.keySet())
			if (!expected.containsKey(k)) extra.add(k);
		if (!missing.isEmpty() || !extra.isEmpty())
			throw new IllegalArgumentException(source + " does not match a GT-RAIN network with ngf " + config.ngf()
				+ ", " + config.nBlocks() + " blocks, " + config.norm().id() + " norm: "
				+ (missing.isEmpty() ? "" : missing.size() + " missing " + summary(missing))
				+ (missing.isEmpty() || extra.isEmpty() ? "" : "; ")
				+ (extra.isEmpty() ? "" : extra.size() + " unexpected " + summary(extra)));
		for (Map.Entry<String, long[]> e : expected.entrySet()) {
			long[] got = actual.get(e.getKey());
			if (!java.util.Arrays.equals(got, e.getValue()))
				throw new IllegalArgumentException(source + ": " + e.getKey() + " has shape " + shape(got)
					+ " but the network needs " + shape(e.getValue()));
		}
	}

	/** Lists up to 12 names, then a count of the rest, so a message stays readable. */
	private static String summary(java.util.List<String> names) {
		int shown = Math.min(names.size(), 12);
		String list = String.join(", ", names.subList(0, shown));
		return "[" + list + (names.size() > shown ? ", ... " + (names.size() - shown) + " more" : "") + "]";
	}

	/** PyTorch-style shape text, e.g. (64, 3, 7, 7). */
	public static String shape(long[] shape) {
		StringBuilder b = new StringBuilder("(");
		for (int i = 0; i < shape.length; i++)
			b.append(i == 0 ? "" : ", ").append(shape[i]);
		return b.append(")").toString();
	}

	/** Number of trainable scalars (weights and biases; not running statistics). */
	public static long trainableCount(DerainConfig config) {
		long n = 0;
		for (Map.Entry<String, long[]> e : of(config).entrySet())
			if (isTrainable(e.getKey())) n += numel(e.getValue());
		return n;
	}

	/** True for weights and biases, false for BatchNorm buffers. */
	public static boolean isTrainable(String name) {
		return !(name.endsWith(".running_mean") || name.endsWith(".running_var")
			|| name.endsWith(".num_batches_tracked"));
	}

	/** True for the offset and modulator convs of the deformable convs (trained at lr/10). */
	public static boolean isOffsetOrModulator(String name) {
		return name.contains(".offset_conv.") || name.contains(".modulator_conv.");
	}

	public static long numel(long[] shape) {
		long n = 1;
		for (long d : shape) n *= d;
		return n;
	}

	private static final class Builder {
		final Map<String, long[]> shapes = new LinkedHashMap<>();
		final DerainConfig config;

		Builder(DerainConfig config) {
			this.config = config;
		}

		void put(String name, long... shape) {
			shapes.put(name, shape);
		}

		/** {@code prefix}.1 = conv (bias only with instance norm), {@code prefix}.2 = norm. */
		void convNorm(String prefix, int in, int out, int k) {
			put(prefix + ".1.weight", out, in, k, k);
			if (config.norm() == DerainConfig.Norm.INSTANCE) put(prefix + ".1.bias", out);
			norm(prefix + ".2", out);
		}

		/** BatchNorm affine parameters and running statistics; InstanceNorm (affine=False) has none. */
		void norm(String prefix, int channels) {
			if (config.norm() != DerainConfig.Norm.BATCH) return;
			put(prefix + ".weight", channels);
			put(prefix + ".bias", channels);
			put(prefix + ".running_mean", channels);
			put(prefix + ".running_var", channels);
			put(prefix + ".num_batches_tracked");
		}

		void deformable(String prefix, int channels) {
			put(prefix + ".offset_conv.weight", 2 * TAPS, channels, 3, 3);
			put(prefix + ".offset_conv.bias", 2 * TAPS);
			put(prefix + ".modulator_conv.weight", TAPS, channels, 3, 3);
			put(prefix + ".modulator_conv.bias", TAPS);
			put(prefix + ".regular_conv.weight", channels, channels, 3, 3);
			if (config.norm() == DerainConfig.Norm.INSTANCE) put(prefix + ".regular_conv.bias", channels);
		}

		/** Upsample ×2 then conv (deconv), concat skip, conv: both 3×3 convs output {@code out}. */
		void decoder(String prefix, int in, int out) {
			convNorm(prefix + ".deconv.conv.conv", in, out, 3);
			convNorm(prefix + ".conv.conv", 2 * out, out, 3);
		}
	}
}
