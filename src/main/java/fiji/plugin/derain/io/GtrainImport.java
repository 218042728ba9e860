package fiji.plugin.derain.io;

import fiji.plugin.derain.io.pth.CheckpointException;
import fiji.plugin.derain.io.pth.PthReader;
import fiji.plugin.derain.io.pth.RawTensor;
import fiji.plugin.derain.io.pth.StateDicts;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.StateDictLayout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a GT-RAIN PyTorch checkpoint ({@code .pth}) into a model folder, without running any code from it
 * ({@link PthReader} only rebuilds tensors). The architecture is read off the tensor shapes: ngf from the first
 * conv, the block count from the highest {@code residual_blocks.N}, the norm from the presence of BatchNorm
 * buffers. The activation cannot be read off a checkpoint (LeakyReLU and Mish have no parameters), so the
 * caller states it: GT-RAIN's own weights use {@code leaky}, the UG²⁺ variant {@code mish}.
 */
public final class GtrainImport {
	private GtrainImport() {}

	private static final Pattern BLOCK = Pattern.compile("^residual_blocks\\.(\\d{1,9})\\.");

	/** The imported state dict (float32, int64 for num_batches_tracked) and the architecture it implies. */
	public record Imported(DerainConfig config, Map<String, NDArray> weights) {}

	/**
	 * Reads and checks a checkpoint.
	 *
	 * @throws CheckpointException if the file is not a safe, complete, undamaged PyTorch checkpoint (CRC-32 of
	 *         every entry read), or a tensor holds NaN or infinite values
	 * @throws IllegalArgumentException if its tensors are not a GT-RAIN network (missing/extra keys, shapes)
	 */
	public static Imported read(Path checkpoint, DerainConfig.Activation activation, NDManager manager)
		throws IOException {
		Map<String, RawTensor> tensors = StateDicts.extract(PthReader.read(checkpoint), checkpoint);
		DerainConfig config = inferConfig(tensors, activation, checkpoint);
		Map<String, long[]> shapes = new LinkedHashMap<>();
		tensors.forEach((k, t) -> shapes.put(k, t.shape()));
		StateDictLayout.verify(config, shapes, checkpoint.toString());
		Map<String, NDArray> weights = new LinkedHashMap<>();
		for (String name : StateDictLayout.of(config).keySet()) {
			RawTensor t = tensors.get(name);
			Shape shape = new Shape(t.shape());
			boolean counter = name.endsWith(".num_batches_tracked");
			if (counter == t.isFloatingPoint())
				throw new CheckpointException(checkpoint + ": tensor '" + name + "' is " + t.dtype() + " where GT-RAIN has "
					+ (counter ? "an integer count" : "floating-point weights") + "; the checkpoint is damaged or not GT-RAIN's");
			if (counter) {
				weights.put(name, manager.create(t.toLongs(), shape));
				continue;
			}
			float[] values = t.toFloats();
			long bad = FiniteValues.countNonFinite(values);
			if (bad > 0) throw new CheckpointException(FiniteValues.message(checkpoint.toString(), name, bad));
			weights.put(name, manager.create(values, shape));
		}
		return new Imported(config, weights);
	}

	/** Imports {@code checkpoint} into the model folder {@code out} and returns its descriptor as written. */
	public static ModelDescriptor importTo(Path checkpoint, DerainConfig.Activation activation, Path out,
		boolean overwrite) throws IOException {
		try (NDManager manager = NDManager.newBaseManager()) {
			Imported imported = read(checkpoint, activation, manager);
			Map<String, String> provenance = new LinkedHashMap<>();
			provenance.put("source", "GT-RAIN checkpoint (PyTorch)");
			provenance.put("imported_from", checkpoint.getFileName().toString());
			provenance.put("imported_sha256", Digests.sha256(checkpoint));
			provenance.put("imported_at", Instant.now().toString());
			provenance.put("activation", activation.id() + " (stated at import; not recorded in checkpoints)");
			ModelDescriptor d = ModelDescriptor.of(FileNames.baseName(checkpoint),
				"GT-RAIN Deformable-ResNet imported from " + checkpoint.getFileName(), imported.config(), provenance);
			return ModelFolder.save(out, d, imported.weights(), overwrite);
		}
	}

	/** ngf, block count and norm from the tensors; errors name what is missing. */
	static DerainConfig inferConfig(Map<String, RawTensor> tensors, DerainConfig.Activation activation, Path source)
		throws CheckpointException {
		RawTensor first = tensors.get("initial_conv.0.conv.1.weight");
		if (first == null || first.shape().length != 4)
			throw new CheckpointException(source + " has no initial_conv.0.conv.1.weight of 4 dimensions, so it is not"
				+ " a GT-RAIN Deformable-ResNet state dict (first keys: " + firstKeys(tensors) + ")");
		long ngf = first.shape()[0];
		int blocks = 0;
		for (String k : tensors.keySet()) {
			Matcher m = BLOCK.matcher(k);
			if (m.find()) blocks = Math.max(blocks, Integer.parseInt(m.group(1)) + 1);
		}
		try {
			ModelDescriptor.requireRunnable(ngf, blocks, source.toString());
		} catch (IllegalArgumentException e) {
			throw new CheckpointException(e.getMessage());
		}
		DerainConfig.Norm norm = tensors.containsKey("initial_conv.0.conv.2.running_mean") ? DerainConfig.Norm.BATCH
			: DerainConfig.Norm.INSTANCE;
		try {
			return new DerainConfig((int) ngf, blocks, activation, norm, DerainConfig.Init.NORMAL);
		} catch (IllegalArgumentException e) {
			throw new CheckpointException(source + ": " + e.getMessage());
		}
	}

	private static String firstKeys(Map<String, RawTensor> tensors) {
		return tensors.keySet().stream().limit(5).reduce((a, b) -> a + ", " + b).orElse("none");
	}
}
