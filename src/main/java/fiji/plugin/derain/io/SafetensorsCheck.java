package fiji.plugin.derain.io;

import fiji.plugin.derain.io.pth.CheckpointException;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks a weights file's safetensors structure before DJL reads it. DJL's reader trusts the file: it allocates
 * the header length and the largest data offset it declares (a forged 8-byte length asks for gigabytes), picks
 * another format when byte 8 is not '{', and hands the engine buffers whatever their declared shapes. So every size
 * is checked here against the file's real size, every tensor's bytes against its dtype and shape, and the dtypes
 * against what a model holds (F32; I64 for BatchNorm's {@code num_batches_tracked}).
 */
final class SafetensorsCheck {
	private SafetensorsCheck() {}

	/** Largest JSON header accepted: a model's header is a few kB per hundred tensors. */
	private static final long MAX_HEADER = 16 << 20;

	/** @throws IllegalArgumentException "FILE is not a valid weights file: ..." naming what is wrong */
	static void check(Path file) throws IOException {
		long size = Files.size(file);
		if (size < 10) throw invalid(file, "it has only " + size + " bytes");
		JsonObject header;
		long headerLength;
		try (InputStream in = Files.newInputStream(file)) {
			headerLength = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
			if (headerLength < 2 || headerLength > Math.min(MAX_HEADER, size - 8))
				throw invalid(file, "its header length " + Long.toUnsignedString(headerLength) + " does not fit its "
					+ size + " bytes");
			byte[] json = in.readNBytes((int) headerLength);
			if (json[0] != '{') throw invalid(file, "its header is not a JSON object");
			header = parse(file, json);
		}
		long data = size - 8 - headerLength;
		for (Map.Entry<String, JsonElement> e : header.entrySet()) {
			if (e.getKey().equals("__metadata__")) {
				if (!e.getValue().isJsonObject()) throw invalid(file, "its __metadata__ is not an object");
				continue;
			}
			checkTensor(file, e.getKey(), e.getValue(), data);
		}
	}

	private static JsonObject parse(Path file, byte[] json) {
		try {
			JsonElement e = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
			if (!e.isJsonObject()) throw invalid(file, "its header is not a JSON object");
			return e.getAsJsonObject();
		} catch (JsonParseException e) {
			throw invalid(file, "its header is not valid JSON");
		}
	}

	/** dtype, shape and byte range of one tensor entry. */
	private static void checkTensor(Path file, String name, JsonElement entry, long data) {
		String what = "tensor '" + CheckpointException.printable(name) + "'";
		if (!CheckpointException.printable(name).equals(name))
			throw invalid(file, what + " has a name no model has");
		if (!entry.isJsonObject()) throw invalid(file, what + " is not described by an object");
		JsonObject o = entry.getAsJsonObject();
		String dtype = string(o.get("dtype"));
		String expected = name.endsWith(".num_batches_tracked") ? "I64" : "F32";
		if (!expected.equals(dtype) && !(expected.equals("I64") && "F32".equals(dtype)))
			throw invalid(file, what + " has dtype " + CheckpointException.printable(dtype) + " where a model holds "
				+ expected);
		long numel = 1;
		for (long dim : longs(file, what + " shape", o.get("shape"), -1)) {
			if (dim < 0) throw invalid(file, what + " has a negative dimension " + dim);
			numel = multiply(file, what, numel, dim);
		}
		long[] range = longs(file, what + " data_offsets", o.get("data_offsets"), 2);
		long bytes = multiply(file, what, numel, dtype.equals("I64") ? 8 : 4);
		if (range[0] < 0 || range[1] < range[0] || range[1] > data)
			throw invalid(file, what + " lies at bytes " + range[0] + " to " + range[1] + " of a data section of " + data);
		if (range[1] - range[0] != bytes)
			throw invalid(file, what + " has " + (range[1] - range[0]) + " bytes but its dtype and shape need " + bytes);
	}

	private static String string(JsonElement e) {
		return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : String.valueOf(e);
	}

	/** A JSON array of whole numbers, of {@code length} elements (-1 = any, at most 8). */
	private static long[] longs(Path file, String what, JsonElement e, int length) {
		if (e == null || !e.isJsonArray()) throw invalid(file, what + " is not a list of numbers");
		JsonArray a = e.getAsJsonArray();
		if (length >= 0 ? a.size() != length : a.size() > 8)
			throw invalid(file, what + " has " + a.size() + " elements");
		long[] values = new long[a.size()];
		for (int i = 0; i < values.length; i++) {
			JsonElement v = a.get(i);
			if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber())
				throw invalid(file, what + " is not a list of numbers");
			try {
				values[i] = v.getAsBigDecimal().longValueExact();
			} catch (ArithmeticException | NumberFormatException x) {
				throw invalid(file, what + " holds " + CheckpointException.printable(v.toString()) + ", not a whole number");
			}
		}
		return values;
	}

	private static long multiply(Path file, String what, long a, long b) {
		try {
			return Math.multiplyExact(a, b);
		} catch (ArithmeticException e) {
			throw invalid(file, what + " is larger than any file");
		}
	}

	private static IllegalArgumentException invalid(Path file, String why) {
		return new IllegalArgumentException(file + " is not a valid weights file: " + why
			+ "; copy the model folder again or re-import / re-train it");
	}
}
