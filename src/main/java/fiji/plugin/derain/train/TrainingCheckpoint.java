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

import fiji.plugin.derain.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
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
 *   average.safetensors    the weight average by parameter name (only with ema_decay &gt; 0)
 * </pre>
 * {@link #save} writes the three files into a hidden sibling folder {@code .name.partial-*}, state.json last, and
 * then replaces the target with two renames (target → {@code .name.old-*}, partial → target). A folder holding
 * state.json is therefore complete. A run killed between the two renames leaves no target at all, only the old
 * and the new checkpoint as siblings: {@link #latest} finds the newest complete one, so a kill at any moment
 * leaves a resumable checkpoint. The next successful save deletes the leftovers.
 *
 * @param epoch completed epochs
 * @param step optimizer steps taken (the schedule's next step)
 * @param rngState {@link TrainRandom#state()} after the last step
 * @param bestMetric best validation metric so far, NaN if none
 * @param weights the network's state dict
 * @param optimizer {@link Adam#exportState} output
 * @param average {@link WeightAverage#export} output; empty without a weight average
 */
public record TrainingCheckpoint(TrainConfig config, int epoch, long step, long rngState, double bestMetric,
	Map<String, NDArray> weights, Map<String, NDArray> optimizer, Map<String, NDArray> average) {

	public static final String FORMAT = "fiji-derain-training-checkpoint";
	public static final int FORMAT_VERSION = 1;
	public static final String STATE = "state.json", WEIGHTS = "weights.safetensors",
		OPTIMIZER = "optimizer.safetensors", AVERAGE = "average.safetensors";
	private static final String PARTIAL = ".partial-", OLD = ".old-";
	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
		.serializeSpecialFloatingPointValues().create();

	/** Writes the checkpoint to {@code folder}, replacing an existing checkpoint there (see the class comment). */
	public void save(Path folder) throws IOException {
		save(folder, point -> {});
	}

	/**
	 * {@link #save}, calling {@code at} at the named points where a killed process leaves its folders in another
	 * state, so that tests can simulate a kill there (an Error thrown from {@code at} skips all clean-up, as death
	 * would; an IOException or RuntimeException puts the previous checkpoint back).
	 */
	void save(Path folder, Consumer<String> at) throws IOException {
		Path target = folder.toAbsolutePath().normalize();
		Path parent = target.getParent();
		Files.createDirectories(parent);
		String name = target.getFileName().toString();
		if (Files.exists(target) && !Files.isRegularFile(target.resolve(STATE)))
			throw new IOException(target + " exists and is not a training checkpoint; choose another folder");
		Path partial = Files.createTempDirectory(parent, "." + name + PARTIAL);
		Path old = null;
		try {
			writeTensors(partial.resolve(WEIGHTS), weights);
			writeTensors(partial.resolve(OPTIMIZER), optimizer);
			if (!average.isEmpty()) writeTensors(partial.resolve(AVERAGE), average);
			at.accept("tensors written");
			// state.json appears in one rename, last: its presence means the folder is complete
			Path state = partial.resolve(STATE + ".tmp");
			Files.writeString(state, stateJson(), StandardCharsets.UTF_8);
			at.accept("state written");
			AtomicFiles.rename(state, partial.resolve(STATE));
			at.accept("partial complete");
			if (Files.exists(target)) {
				old = parent.resolve("." + name + OLD + Long.toHexString(System.nanoTime()));
				AtomicFiles.rename(target, old);
				at.accept("target moved to old");
			}
			AtomicFiles.rename(partial, target);
			at.accept("partial moved to target");
		} catch (IOException | RuntimeException e) {
			if (old != null && !Files.exists(target)) AtomicFiles.rename(old, target);
			deleteCheckpoint(partial);
			throw e;
		}
		try (Stream<Path> s = Files.list(parent)) {
			for (Path p : (Iterable<Path>) s.filter(p -> isLeftover(p, name))::iterator) {
				at.accept("deleting leftover");
				deleteCheckpoint(p);
			}
		}
	}

	/**
	 * The checkpoint to resume from: {@code folder} itself when it holds {@value #STATE}, else (a save was killed
	 * between its two renames) the complete leftover {@code .name.old-*} or {@code .name.partial-*} sibling with the
	 * most steps; null when there is none.
	 */
	public static Path latest(Path folder) throws IOException {
		Path target = folder.toAbsolutePath().normalize();
		if (Files.isRegularFile(target.resolve(STATE))) return target;
		Path parent = target.getParent(), best = null;
		if (!Files.isDirectory(parent)) return null;
		long bestStep = -1;
		try (Stream<Path> s = Files.list(parent)) {
			for (Path p : (Iterable<Path>) s.filter(p -> isLeftover(p, target.getFileName().toString()))::iterator) {
				long step = stepOf(p.resolve(STATE));
				if (step > bestStep) {
					bestStep = step;
					best = p;
				}
			}
		}
		return best;
	}

	private static boolean isLeftover(Path p, String name) {
		String n = p.getFileName().toString();
		return Files.isDirectory(p) && (n.startsWith("." + name + OLD) || n.startsWith("." + name + PARTIAL));
	}

	/** The step in a state.json; -1 when it is missing or unreadable (an incomplete folder). */
	private static long stepOf(Path state) {
		try {
			return JsonParser.parseString(Files.readString(state, StandardCharsets.UTF_8)).getAsJsonObject().get("step")
				.getAsLong();
		} catch (IOException | RuntimeException e) {
			return -1;
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
			long step = o.get("step").getAsLong();
			return new TrainingCheckpoint(config, o.get("epoch").getAsInt(), step,
				Long.parseUnsignedLong(o.get("rng_state").getAsString(), 16), bestMetric,
				readTensors(folder.resolve(WEIGHTS), manager), readTensors(folder.resolve(OPTIMIZER), manager),
				readAverage(folder, config, step, manager));
		} catch (RuntimeException e) {
			throw new IOException(state + ": " + e.getMessage(), e);
		}
	}

	/**
	 * The weight average of a run with ema_decay &gt; 0 (empty otherwise, and before its first step).
	 *
	 * @throws NoSuchFileException when the run averages and has taken steps but the file is missing
	 */
	private static Map<String, NDArray> readAverage(Path folder, TrainConfig config, long step, NDManager manager)
		throws IOException {
		Path file = folder.resolve(AVERAGE);
		if (config.emaDecay() == 0 || !Files.exists(file) && step == 0) return Map.of();
		return readTensors(file, manager);
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


	/** Deletes state.json first, so that a folder half deleted by a killed run never looks complete. */
	private static void deleteCheckpoint(Path dir) throws IOException {
		if (!Files.exists(dir)) return;
		Files.deleteIfExists(dir.resolve(STATE));
		try (Stream<Path> s = Files.walk(dir)) {
			for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
		}
	}
}
