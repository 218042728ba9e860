package fiji.plugin.derain.io.pth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finds the state_dict (tensor name → tensor) inside an unpickled checkpoint. */
public final class StateDicts {
	private StateDicts() {}

	/** Keys under which training scripts store the state_dict next to epoch counters and optimizer state. */
	private static final List<String> WRAPPER_KEYS = List.of("state_dict", "model_state_dict", "model");
	/** Prefixes stripped from every name, in this order: DataParallel's, then the official GT-RAIN checkpoint's. */
	private static final List<String> PREFIXES = List.of("module.", "resnet.");

	/**
	 * The tensors of a checkpoint, in file order, named without the {@code module.} and {@code resnet.}
	 * prefixes. {@code root} is either the state_dict itself or a dict holding it under
	 * {@code state_dict}, {@code model_state_dict} or {@code model}. Entries that are not tensors (an epoch
	 * counter, say) are skipped.
	 *
	 * @param root what {@link PthReader#read} returned
	 * @param source the checkpoint, for messages
	 * @throws CheckpointException if root is not a dict, holds no tensors, or two names collide once stripped
	 */
	public static LinkedHashMap<String, RawTensor> extract(Object root, Path source) throws CheckpointException {
		if (!(root instanceof Map))
			throw new CheckpointException(source + " holds a " + pythonType(root) + ", not a dict of tensors;"
				+ " save the model's state_dict() instead");
		Map<?, ?> dict = unwrap((Map<?, ?>) root);
		LinkedHashMap<String, RawTensor> tensors = new LinkedHashMap<>();
		for (Map.Entry<?, ?> e : dict.entrySet()) {
			if (!(e.getKey() instanceof String) || !(e.getValue() instanceof RawTensor)) continue;
			String name = strip((String) e.getKey());
			if (!CheckpointException.printable(name).equals(name))
				throw new CheckpointException(source + " has a tensor named '" + CheckpointException.printable(name)
					+ "': not a state_dict this plugin can use (the file may be damaged)");
			if (tensors.put(name, (RawTensor) e.getValue()) != null)
				throw new CheckpointException(source + " has two tensors named " + name + " once the module./resnet."
					+ " prefixes are removed");
		}
		if (tensors.isEmpty())
			throw new CheckpointException(source + " holds no tensors (its keys: " + keyList(dict)
				+ "); expected a state_dict, or a dict with one under 'state_dict'");
		return tensors;
	}

	private static Map<?, ?> unwrap(Map<?, ?> root) {
		for (String key : WRAPPER_KEYS) {
			Object inner = root.get(key);
			if (inner instanceof Map) return (Map<?, ?>) inner;
		}
		return root;
	}

	private static String strip(String name) {
		for (String prefix : PREFIXES)
			if (name.startsWith(prefix)) name = name.substring(prefix.length());
		return name;
	}

	private static String keyList(Map<?, ?> dict) {
		List<String> keys = new ArrayList<>();
		for (Object key : dict.keySet()) {
			if (keys.size() == 8) {
				keys.add("...");
				break;
			}
			keys.add(CheckpointException.printable(String.valueOf(key)));
		}
		return String.join(", ", keys);
	}

	private static String pythonType(Object value) {
		return value instanceof RawTensor ? "single tensor" : Unpickler.typeName(value);
	}
}
