package fiji.plugin.derain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything needed to resume a training run exactly, as a folder:
 * <pre>
 * checkpoint/
 *   state.json             {"format": "fiji-derain-training-checkpoint", "format_version": 1,
 *                           "epoch": completed epochs, "step": optimizer steps taken,
 *                           "rng_state": "hex of TrainRandom.state()", "best_metric": number or null,
 *                           "config": TrainConfig JSON}
 *   weights.safetensors    the network's state dict (GT-RAIN names, BatchNorm statistics included)
 *   optimizer.safetensors  Adam state (step/, exp_avg/, exp_avg_sq/ + parameter name)
 * </pre>
 * {@link #save} writes the three files into a hidden sibling folder and then renames it onto the target, so
 * a killed run leaves either the old checkpoint or the new one, never a mix (at worst a stray
 * {@code .name.partial-*} or {@code .name.old-*} folder next to it).
 *
 * @param epoch completed epochs
 * @param step optimizer steps taken (the schedule's next step)
 * @param rngState {@link TrainRandom#state()} after the last step
 * @param bestMetric best validation metric so far, NaN if none
 * @param weights the network's state dict
 * @param optimizer {@link Adam#exportState} output
 */
public record TrainingCheckpoint(TrainConfig config, int epoch, long step, long rngState, double bestMetric,
	Map<String, NDArray> weights, Map<String, NDArray> optimizer) {

	public static final String FORMAT = "fiji-derain-training-checkpoint";
	public static final int FORMAT_VERSION = 1;
	public static final String STATE = "state.json", WEIGHTS = "weights.safetensors",
		OPTIMIZER = "optimizer.safetensors";
	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
		.serializeSpecialFloatingPointValues().create();

	/** Writes the checkpoint to {@code folder}, replacing an existing checkpoint there in one rename. */
	public void save(Path folder) throws IOException {
		Path target = folder.toAbsolutePath().normalize();
		Path parent = target.getParent();
		Files.createDirectories(parent);
		String name = target.getFileName().toString();
		Path partial = Files.createTempDirectory(parent, "." + name + ".partial-");
		Path old = null;
		try {
			writeTensors(partial.resolve(WEIGHTS), weights);
			writeTensors(partial.resolve(OPTIMIZER), optimizer);
			Files.writeString(partial.resolve(STATE), stateJson(), StandardCharsets.UTF_8);
			if (Files.exists(target)) {
				if (!Files.isRegularFile(target.resolve(STATE)))
					throw new IOException(target + " exists and is not a training checkpoint; choose another folder");
				old = parent.resolve("." + name + ".old-" + Long.toHexString(System.nanoTime()));
				move(target, old);
			}
			move(partial, target);
		} finally {
			deleteTree(partial);
			if (old != null) deleteTree(old);
		}
	}

	/**
	 * Reads a checkpoint; tensors are attached to {@code manager}.
	 *
	 * @throws IOException naming the folder when it is not a (complete) checkpoint
	 */
	public static TrainingCheckpoint load(Path folder, NDManager manager) throws IOException {
		Path state = folder.resolve(STATE);
		if (!Files.isRegularFile(state))
			throw new NoSuchFileException(state.toString(), null, "not a training checkpoint (no " + STATE + ")");
		JsonObject o;
		try {
			JsonElement e = JsonParser.parseString(Files.readString(state, StandardCharsets.UTF_8));
			o = e.getAsJsonObject();
		} catch (JsonParseException | IllegalStateException e) {
			throw new IOException(state + " is not valid JSON: " + e.getMessage(), e);
		}
		if (!o.has("format") || !FORMAT.equals(o.get("format").getAsString()))
			throw new IOException(state + " is not a " + FORMAT + " file");
		int version = o.get("format_version").getAsInt();
		if (version > FORMAT_VERSION)
			throw new IOException(state + " has format version " + version + "; this version reads up to "
				+ FORMAT_VERSION + " (update Fiji Derain)");
		try {
			TrainConfig config = TrainConfig.fromJson(o.getAsJsonObject("config"), state.toString());
			JsonElement best = o.get("best_metric");
			double bestMetric = best == null || best.isJsonNull() ? Double.NaN : best.getAsDouble();
			return new TrainingCheckpoint(config, o.get("epoch").getAsInt(), o.get("step").getAsLong(),
				Long.parseUnsignedLong(o.get("rng_state").getAsString(), 16), bestMetric,
				readTensors(folder.resolve(WEIGHTS), manager), readTensors(folder.resolve(OPTIMIZER), manager));
		} catch (RuntimeException e) {
			throw new IOException(state + ": " + e.getMessage(), e);
		}
	}

	String stateJson() {
		JsonObject o = new JsonObject();
		o.addProperty("format", FORMAT);
		o.addProperty("format_version", FORMAT_VERSION);
		o.addProperty("epoch", epoch);
		o.addProperty("step", step);
		// hex text: the full 64-bit state survives any JSON reader
		o.addProperty("rng_state", Long.toHexString(rngState));
		if (Double.isNaN(bestMetric)) o.add("best_metric", null);
		else o.addProperty("best_metric", bestMetric);
		o.add("config", config.toJsonObject());
		return GSON.toJson(o);
	}

	private static void writeTensors(Path file, Map<String, NDArray> tensors) throws IOException {
		NDList list = new NDList(tensors.size());
		for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
			NDArray a = e.getValue();
			a.setName(e.getKey());
			list.add(a);
		}
		try (OutputStream out = Files.newOutputStream(file)) {
			list.encode(out, NDList.Encoding.SAFETENSORS);
		}
	}

	private static Map<String, NDArray> readTensors(Path file, NDManager manager) throws IOException {
		if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "checkpoint incomplete");
		Map<String, NDArray> out = new LinkedHashMap<>();
		try (InputStream in = Files.newInputStream(file)) {
			for (NDArray a : NDList.decode(manager, in)) out.put(a.getName(), a);
		}
		return out;
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to);
		}
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) return;
		try (Stream<Path> s = Files.walk(dir)) {
			for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
		}
	}
}
