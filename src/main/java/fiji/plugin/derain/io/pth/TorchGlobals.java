package fiji.plugin.derain.io.pth;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The allow-list: the only globals a weights file needs, and what each does here.
 * <ul>
 * <li>{@code collections.OrderedDict} → a new empty {@link LinkedHashMap} (called with no arguments);
 * <li>{@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}
 * → a {@link RawTensor} view of the storage;
 * <li>{@code torch._utils._rebuild_parameter(data, requires_grad, hooks)} and
 * {@code _rebuild_parameter_with_state(..., state)} → {@code data} (a parameter is its tensor);
 * <li>{@code torch.FloatStorage} and the other typed storages → markers naming the dtype, used in the
 * persistent ids {@code ('storage', torch.FloatStorage, key, location, numel)}.
 * </ul>
 * Anything else, whether a builtin, a shell command, torch's own {@code _load_from_bytes} (a nested
 * unrestricted unpickler) or the user's model class, is refused while the name is read, before any call.
 */
final class TorchGlobals implements Unpickler.Globals, Unpickler.PersistentLoader {
	private final PthArchive archive;
	private final String source;

	TorchGlobals(PthArchive archive) {
		this.archive = archive;
		this.source = archive.source;
	}

	@Override
	public Object resolve(String module, String name) throws CheckpointException {
		if (module.equals("collections") && name.equals("OrderedDict")) return (Unpickler.PickleFunction) this::orderedDict;
		if (module.equals("torch._utils")) {
			switch (name) {
				case "_rebuild_tensor_v2": return (Unpickler.PickleFunction) this::rebuildTensor;
				case "_rebuild_parameter": return (Unpickler.PickleFunction) args -> parameter(args, 3);
				case "_rebuild_parameter_with_state": return (Unpickler.PickleFunction) args -> parameter(args, 4);
				default: break;
			}
		}
		if (module.equals("torch")) {
			TorchDtype dtype = TorchDtype.ofStorageClass(name);
			if (dtype != null) return dtype;
		}
		throw new CheckpointException(source + " asks to run " + CheckpointException.printable(module + "." + name)
			+ ", which a weights file never needs; refusing to load it (no code was run)");
	}

	/** {@code ('storage', storage type, key, location, numel)} → the storage, read from the zip. */
	@Override
	public Object load(Object pid) throws IOException {
		List<?> id = pid instanceof List ? (List<?>) pid : List.of();
		if (id.size() != 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof TorchDtype)
			|| !(id.get(2) instanceof String) || !(id.get(4) instanceof Long))
			throw new CheckpointException(source + ": data.pkl has a persistent id that is not"
				+ " ('storage', torch.<Type>Storage, key, location, numel)");
		return archive.storage((String) id.get(2), (TorchDtype) id.get(1), (Long) id.get(4));
	}

	private Object orderedDict(List<Object> args) throws CheckpointException {
		if (!args.isEmpty()) throw badCall("OrderedDict() without arguments");
		return new LinkedHashMap<Object, Object>();
	}

	private RawTensor rebuildTensor(List<Object> args) throws CheckpointException {
		if (args.size() != 6 && args.size() != 7 || !(args.get(0) instanceof Storage) || !(args.get(1) instanceof Long))
			throw badCall("_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])");
		return RawTensor.view((Storage) args.get(0), (Long) args.get(1), longs(args.get(2), "size"),
			longs(args.get(3), "stride"), source);
	}

	private Object parameter(List<Object> args, int arity) throws CheckpointException {
		if (args.size() != arity || !(args.get(0) instanceof RawTensor))
			throw badCall("_rebuild_parameter(tensor, requires_grad, hooks" + (arity == 4 ? ", state)" : ")"));
		return args.get(0);
	}

	private long[] longs(Object tuple, String what) throws CheckpointException {
		if (!(tuple instanceof List)) throw badCall("_rebuild_tensor_v2 with a " + what + " that is not a tuple");
		List<?> items = (List<?>) tuple;
		long[] out = new long[items.size()];
		for (int i = 0; i < out.length; i++) {
			if (!(items.get(i) instanceof Long)) throw badCall("_rebuild_tensor_v2 with a " + what + " that is not all ints");
			out[i] = (Long) items.get(i);
		}
		return out;
	}

	private CheckpointException badCall(String expected) {
		return new CheckpointException(source + ": data.pkl has a malformed call, expected " + expected);
	}
}
