package fiji.plugin.derain.io;

import fiji.plugin.derain.net.StateDictLayout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model folder: {@code model.json} ({@link ModelDescriptor}) and the weights it names (by default
 * {@code weights.safetensors}), stored under GT-RAIN's state-dict names ({@link StateDictLayout}).
 *
 * <p>Safetensors is a header of JSON (names, dtypes, shapes, byte offsets) followed by raw little-endian data:
 * loading it cannot run code, unlike a pickle. BatchNorm's {@code num_batches_tracked} is stored as an int64
 * scalar, everything else as float32. The weights path must stay inside the folder.
 */
public final class ModelFolder {
	private ModelFolder() {}

	public static final String DESCRIPTOR = "model.json";

	/** A descriptor and its weights, attached to the manager given to {@link #load}. */
	public record Loaded(Path folder, ModelDescriptor descriptor, Map<String, NDArray> weights) {}

	/**
	 * Writes a model folder. Each file is written atomically; the weights go first so that a folder with a
	 * {@code model.json} always has complete weights, and {@code model.json} records their SHA-256.
	 *
	 * @param overwrite replace existing files; otherwise an existing {@code model.json} is an error
	 * @return the descriptor as written (with the weights' SHA-256)
	 * @throws IllegalArgumentException for missing or misshapen tensors, or tensors holding NaN/Inf values
	 */
	public static ModelDescriptor save(Path folder, ModelDescriptor descriptor, Map<String, NDArray> weights,
		boolean overwrite) throws IOException {
		Map<String, long[]> shapes = new LinkedHashMap<>();
		weights.forEach((k, v) -> shapes.put(k, v.getShape().getShape()));
		StateDictLayout.verify(descriptor.config(), shapes, "the weights to save");
		FiniteValues.requireFinite(weights, "the weights to save");
		AtomicFiles.refuseExisting(folder.resolve(DESCRIPTOR), overwrite);
		Path weightsFile = resolveInside(folder, descriptor.weights());
		NDList list = new NDList(weights.size());
		for (Map.Entry<String, NDArray> e : weights.entrySet()) {
			NDArray a = e.getValue();
			a.setName(e.getKey());
			list.add(a);
		}
		MessageDigest sha256 = Digests.newSha256();
		AtomicFiles.write(weightsFile, overwrite,
			out -> list.encode(new DigestOutputStream(out, sha256), NDList.Encoding.SAFETENSORS));
		ModelDescriptor written = descriptor.withWeightsSha256(Digests.hex(sha256));
		byte[] json = written.toJson().getBytes(StandardCharsets.UTF_8);
		AtomicFiles.write(folder.resolve(DESCRIPTOR), overwrite, out -> out.write(json));
		return written;
	}

	/** Reads only the descriptor (cheap; e.g. to list models). */
	public static ModelDescriptor readDescriptor(Path folder) throws IOException {
		Path file = folder.resolve(DESCRIPTOR);
		if (!Files.isRegularFile(file))
			throw new NoSuchFileException(file.toString(), null,
				"not a model folder: it has no " + DESCRIPTOR + " (import a checkpoint with import-gtrain, or train one)");
		return ModelDescriptor.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
	}

	/**
	 * Loads a model folder, checking the weights file against the SHA-256 in {@code model.json} (when recorded) and
	 * that every tensor the architecture needs is there with the right shape and finite values.
	 *
	 * @throws IllegalArgumentException naming the file and what is wrong with it
	 */
	public static Loaded load(Path folder, NDManager manager) throws IOException {
		ModelDescriptor d = readDescriptor(folder);
		Path file = resolveInside(folder, d.weights());
		if (!Files.isRegularFile(file))
			throw new NoSuchFileException(file.toString(), null, "the weights named by " + DESCRIPTOR + " are missing");
		checkSha256(file, d.weightsSha256());
		SafetensorsCheck.check(file);
		NDList list;
		try (InputStream in = Files.newInputStream(file)) {
			list = NDList.decode(manager, in);
		} catch (RuntimeException e) {
			throw new IllegalArgumentException(file + " is not a readable safetensors file: " + e.getMessage(), e);
		}
		Map<String, NDArray> weights = new LinkedHashMap<>();
		Map<String, long[]> shapes = new LinkedHashMap<>();
		for (NDArray a : list) {
			weights.put(a.getName(), a);
			shapes.put(a.getName(), a.getShape().getShape());
		}
		StateDictLayout.verify(d.config(), shapes, file.toString());
		FiniteValues.requireFinite(weights, file.toString());
		return new Loaded(folder, d, weights);
	}

	/** Compares a file with the SHA-256 its descriptor recorded ("" = none recorded: models from before it was). */
	private static void checkSha256(Path file, String expected) throws IOException {
		if (expected.isEmpty()) return;
		String actual = Digests.sha256(file);
		if (!actual.equals(expected))
			throw new IllegalArgumentException(file + " is damaged: its SHA-256 is " + actual + " but " + DESCRIPTOR
				+ " records " + expected + "; copy the model folder again (or re-import / re-train it)");
	}

	/**
	 * Resolves a file name from a descriptor against its folder, refusing anything that would leave the folder
	 * ({@code ..}, absolute paths, links are not followed out either since we compare normalised paths).
	 */
	static Path resolveInside(Path folder, String relative) {
		Path base = folder.toAbsolutePath().normalize();
		Path p;
		try {
			p = base.resolve(relative).normalize();
		} catch (java.nio.file.InvalidPathException e) {
			throw new IllegalArgumentException("model file name \"" + relative.replace("\0", "\\0") + "\" in " + base
				+ " is not a valid file name (" + e.getReason() + ")");
		}
		if (relative.isEmpty() || !p.startsWith(base) || p.equals(base))
			throw new IllegalArgumentException("model file name \"" + relative + "\" points outside the model folder "
				+ base + "; a model may only name files inside its own folder");
		return p;
	}

}
