package fiji.plugin.derain.io;

import fiji.plugin.derain.net.DerainConfig;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code model.json} of a model folder: what network the weights belong to and where they came from.
 * See {@link ModelFolder} for the folder layout. Format version 1:
 *
 * <pre>
 * { "format": "fiji-derain-model", "format_version": 1, "name": "...", "description": "...",
 *   "architecture": { "type": "gtrain-deformable-resnet", "ngf": 64, "n_blocks": 9,
 *                     "activation": "leaky", "norm": "batch", "init": "normal" },
 *   "input": { "range": [-1, 1], "layout": "NCHW", "channels": "RGB", "size_multiple": 4 },
 *   "weights": "weights.safetensors", "weights_sha256": "...64 hex digits, optional...",
 *   "provenance": { ...free-form strings: source, imported_from, created, tool... },
 *   "metrics": { ...name → number, e.g. "val_psnr": 31.2... },
 *   "training": { ...free-form: the training config, present for models we trained... } }
 * </pre>
 *
 * @param name short human-readable name
 * @param description one sentence
 * @param config the architecture
 * @param weights weights file name, relative to the model folder (never outside it)
 * @param weightsSha256 SHA-256 of the weights file as 64 lowercase hex digits, recorded by {@link ModelFolder#save}
 *        and checked by {@link ModelFolder#load}; "" when not recorded (models written before it was)
 * @param provenance where the weights came from (strings)
 * @param metrics measured metrics (numbers)
 * @param training training configuration, or an empty object
 */
public record ModelDescriptor(String name, String description, DerainConfig config, String weights,
	String weightsSha256, Map<String, String> provenance, Map<String, Double> metrics, JsonObject training) {

	public static final String FORMAT = "fiji-derain-model";
	public static final int FORMAT_VERSION = 1;
	public static final String DEFAULT_WEIGHTS = "weights.safetensors";
	/**
	 * Largest ngf and block count accepted from a file: GT-RAIN uses 64 and 9; a forged value (ngf 1e9) would
	 * otherwise only fail after building a network of that size.
	 */
	public static final int MAX_NGF = 1024, MAX_BLOCKS = 256;
	private static final String ARCHITECTURE = "gtrain-deformable-resnet";
	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

	public ModelDescriptor {
		weightsSha256 = weightsSha256 == null ? "" : weightsSha256;
		if (!weightsSha256.isEmpty() && !SHA256.matcher(weightsSha256).matches())
			throw new IllegalArgumentException("weights_sha256 must be 64 lowercase hex digits, got \"" + weightsSha256
				+ "\"");
		provenance = Map.copyOf(provenance);
		metrics = Map.copyOf(metrics);
		training = training == null ? new JsonObject() : training.deepCopy();
	}

	/** A descriptor with the default weights file name and no metrics or training section. */
	public static ModelDescriptor of(String name, String description, DerainConfig config,
		Map<String, String> provenance) {
		return new ModelDescriptor(name, description, config, DEFAULT_WEIGHTS, "", provenance, Map.of(), null);
	}

	public ModelDescriptor withMetrics(Map<String, Double> newMetrics) {
		return new ModelDescriptor(name, description, config, weights, weightsSha256, provenance, newMetrics, training);
	}

	public ModelDescriptor withTraining(JsonObject newTraining) {
		return new ModelDescriptor(name, description, config, weights, weightsSha256, provenance, metrics, newTraining);
	}

	/** This descriptor recording the weights file's SHA-256 (64 hex digits). */
	public ModelDescriptor withWeightsSha256(String sha256) {
		return new ModelDescriptor(name, description, config, weights, sha256, provenance, metrics, training);
	}

	public String toJson() {
		JsonObject o = new JsonObject();
		o.addProperty("format", FORMAT);
		o.addProperty("format_version", FORMAT_VERSION);
		o.addProperty("name", name);
		o.addProperty("description", description);
		JsonObject a = new JsonObject();
		a.addProperty("type", ARCHITECTURE);
		a.addProperty("ngf", config.ngf());
		a.addProperty("n_blocks", config.nBlocks());
		a.addProperty("activation", config.activation().id());
		a.addProperty("norm", config.norm().id());
		a.addProperty("init", config.init().id());
		o.add("architecture", a);
		JsonObject input = new JsonObject();
		input.add("range", GSON.toJsonTree(new int[] {-1, 1}));
		input.addProperty("layout", "NCHW");
		input.addProperty("channels", "RGB");
		input.addProperty("size_multiple", 4);
		o.add("input", input);
		o.addProperty("weights", weights);
		if (!weightsSha256.isEmpty()) o.addProperty("weights_sha256", weightsSha256);
		o.add("provenance", GSON.toJsonTree(new java.util.TreeMap<>(provenance)));
		o.add("metrics", GSON.toJsonTree(new java.util.TreeMap<>(metrics)));
		o.add("training", training);
		return GSON.toJson(o) + "\n";
	}

	/**
	 * Parses a descriptor.
	 *
	 * @param source names the file in error messages
	 * @throws IllegalArgumentException naming {@code source} and the offending field
	 */
	public static ModelDescriptor parse(String json, String source) {
		JsonObject o;
		try {
			o = JsonParser.parseString(json).getAsJsonObject();
		} catch (JsonParseException | IllegalStateException e) {
			throw new IllegalArgumentException(source + " is not valid JSON for a model: " + jsonProblem(e));
		}
		Fields f = new Fields(o, source);
		if (!FORMAT.equals(f.string("format")))
			throw new IllegalArgumentException(source + ": \"format\" must be \"" + FORMAT + "\"");
		int version = f.integer(o, "format_version");
		if (version > FORMAT_VERSION)
			throw new IllegalArgumentException(source + " has format_version " + version
				+ ", newer than this plugin understands (" + FORMAT_VERSION + "): update Fiji Derain");
		JsonObject a = f.object("architecture");
		if (!ARCHITECTURE.equals(new Fields(a, source + " architecture").string("type")))
			throw new IllegalArgumentException(source + ": architecture.type must be \"" + ARCHITECTURE + "\"");
		DerainConfig config;
		requireRunnable(f.number(a.get("ngf"), "ngf"), f.number(a.get("n_blocks"), "n_blocks"), source);
		int ngf = f.integer(a, "ngf"), blocks = f.integer(a, "n_blocks");
		String activation = f.string(a, "activation"), norm = f.string(a, "norm"), init = f.string(a, "init");
		try {
			config = new DerainConfig(ngf, blocks, DerainConfig.Activation.parse(activation),
				DerainConfig.Norm.parse(norm), DerainConfig.Init.parse(init));
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(source + ": architecture: " + e.getMessage());
		}
		Map<String, String> provenance = new LinkedHashMap<>();
		if (o.has("provenance"))
			for (Map.Entry<String, JsonElement> e : f.object("provenance").entrySet())
				provenance.put(e.getKey(), e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue().toString());
		Map<String, Double> metrics = new LinkedHashMap<>();
		if (o.has("metrics"))
			for (Map.Entry<String, JsonElement> e : f.object("metrics").entrySet())
				metrics.put(e.getKey(), f.number(e.getValue(), "metrics." + e.getKey()));
		String weights = o.has("weights") ? f.string("weights") : DEFAULT_WEIGHTS;
		String sha256 = o.has("weights_sha256") ? f.string("weights_sha256") : "";
		if (!sha256.isEmpty() && !SHA256.matcher(sha256).matches())
			throw new IllegalArgumentException(source + ": \"weights_sha256\" must be 64 lowercase hex digits");
		JsonObject training = o.has("training") ? f.object("training") : new JsonObject();
		return new ModelDescriptor(o.has("name") ? f.string("name") : "unnamed",
			o.has("description") ? f.string("description") : "", config, weights, sha256, provenance, metrics, training);
	}

	/**
	 * Refuses an ngf or block count above {@link #MAX_NGF} / {@link #MAX_BLOCKS} (smaller than 1 and 0 are
	 * {@link DerainConfig}'s to refuse).
	 *
	 * @throws IllegalArgumentException naming {@code source}
	 */
	public static void requireRunnable(double ngf, double blocks, String source) {
		if (ngf > MAX_NGF)
			throw new IllegalArgumentException(source + ": ngf " + number(ngf) + " is larger than this plugin runs (at most "
				+ MAX_NGF + "; GT-RAIN uses 64)");
		if (blocks > MAX_BLOCKS)
			throw new IllegalArgumentException(source + ": " + number(blocks) + " residual blocks are more than this"
				+ " plugin runs (at most " + MAX_BLOCKS + "; GT-RAIN uses 9)");
	}

	private static String number(double v) {
		return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
	}

	/** Gson's reason without the class names it puts in front ("java.io.EOFException: End of input at ..."). */
	private static String jsonProblem(RuntimeException e) {
		Throwable t = e;
		while (t.getCause() != null && t.getCause() != t)
			t = t.getCause();
		String m = t.getMessage() == null ? "" : t.getMessage();
		return m.replaceAll("^([a-z]+\\.)+[A-Za-z]+(Exception|Error): ", "").replaceAll("\\s+", " ").trim();
	}

	/** Typed field access with messages that name the file and the field. */
	private static final class Fields {
		final JsonObject root;
		final String source;

		Fields(JsonObject root, String source) {
			this.root = root;
			this.source = source;
		}

		String string(String key) {
			return string(root, key);
		}

		String string(JsonObject o, String key) {
			JsonElement e = o.get(key);
			if (e == null || !e.isJsonPrimitive())
				throw new IllegalArgumentException(source + ": missing or non-text field \"" + key + "\"");
			return e.getAsString();
		}

		int integer(JsonObject o, String key) {
			JsonElement e = o.get(key);
			double v = number(e, key);
			if (v != Math.rint(v)) throw new IllegalArgumentException(source + ": \"" + key + "\" must be a whole number");
			return (int) v;
		}

		double number(JsonElement e, String key) {
			if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber())
				throw new IllegalArgumentException(source + ": missing or non-numeric field \"" + key + "\"");
			return e.getAsDouble();
		}

		JsonObject object(String key) {
			JsonElement e = root.get(key);
			if (e == null || !e.isJsonObject())
				throw new IllegalArgumentException(source + ": missing or non-object field \"" + key + "\"");
			return e.getAsJsonObject();
		}
	}
}
