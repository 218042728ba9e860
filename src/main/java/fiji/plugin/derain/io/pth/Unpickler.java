package fiji.plugin.derain.io.pth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine for the opcodes of protocols 2 to 5 that {@code torch.save} emits, which never
 * runs or loads code: a global ({@code GLOBAL}, {@code STACK_GLOBAL}) is whatever the {@link Globals}
 * hook returns for its name, and only {@link PickleFunction}s it returned can be called ({@code REDUCE},
 * {@code NEWOBJ}). Text opcodes of protocols 0 and 1, {@code INST}/{@code OBJ} and the extension registry
 * are not supported.
 * <p>
 * Values: dict → {@link LinkedHashMap} (str keys as {@link String}), list → {@link ArrayList}, tuple →
 * unmodifiable {@link List}, set → {@link LinkedHashSet}, str → String, int → {@link Long} (or
 * {@link BigInteger} beyond 64 bits), float → {@link Double}, bool → {@link Boolean}, None → null,
 * bytes → {@code byte[]}; persistent ids become whatever {@link PersistentLoader} returns.
 */
final class Unpickler {
	/** Resolves {@code module.name}; must throw rather than return anything it does not vouch for. */
	interface Globals {
		Object resolve(String module, String name) throws IOException;
	}

	/** Turns a persistent id (the object popped by BINPERSID) into a value. */
	interface PersistentLoader {
		Object load(Object pid) throws IOException;
	}

	/** A callable global. Arguments are the pickled tuple's elements. */
	interface PickleFunction {
		Object call(List<Object> args) throws IOException;
	}

	private static final int HIGHEST_PROTOCOL = 5;

	private final byte[] data;
	private final String where;
	private final Globals globals;
	private final PersistentLoader persistent;
	private int pos;
	private int opStart;
	private List<Object> stack = new ArrayList<>();
	private final List<List<Object>> metastack = new ArrayList<>();
	private final Map<Long, Object> memo = new HashMap<>();

	/**
	 * @param data the pickle bytes (not copied, not modified)
	 * @param where names the pickle in messages ("model.pth: data.pkl")
	 */
	Unpickler(byte[] data, String where, Globals globals, PersistentLoader persistent) {
		this.data = data;
		this.where = where;
		this.globals = globals;
		this.persistent = persistent;
	}

	/** Runs the pickle to its STOP and returns the value it built. */
	Object load() throws IOException {
		while (true) {
			if (pos >= data.length) throw malformed("ends at offset " + pos + " without a STOP opcode");
			opStart = pos;
			int op = u8();
			switch (op) {
				case 0x80: // PROTO
					int protocol = u8();
					if (protocol > HIGHEST_PROTOCOL) throw malformed("uses pickle protocol " + protocol + ", newer than 5");
					break;
				case 0x95: // FRAME: a length hint for buffered readers; the bytes follow inline
					s64();
					break;
				case '.': // STOP
					return pop();
				case '(': // MARK
					metastack.add(stack);
					stack = new ArrayList<>();
					break;
				case '0': // POP
					pop();
					break;
				case '1': // POP_MARK
					popMark();
					break;
				case '2': // DUP
					push(peek());
					break;
				case 'N': push(null); break;
				case 0x88: push(Boolean.TRUE); break; // NEWTRUE
				case 0x89: push(Boolean.FALSE); break; // NEWFALSE
				case 'K': push((long) u8()); break; // BININT1
				case 'M': push((long) (u8() | u8() << 8)); break; // BININT2
				case 'J': push((long) s32()); break; // BININT
				case 0x8a: push(longOf(bytes(u8()))); break; // LONG1
				case 0x8b: push(longOf(bytes(length(s32())))); break; // LONG4
				case 'G': push(Double.longBitsToDouble(Long.reverseBytes(s64()))); break; // BINFLOAT, big-endian
				case 0x8c: push(utf8(bytes(u8()))); break; // SHORT_BINUNICODE
				case 'X': push(utf8(bytes(length(u32())))); break; // BINUNICODE
				case 0x8d: push(utf8(bytes(length(s64())))); break; // BINUNICODE8
				case 'C': push(bytes(u8())); break; // SHORT_BINBYTES
				case 'B': push(bytes(length(u32()))); break; // BINBYTES
				case 0x8e: push(bytes(length(s64()))); break; // BINBYTES8
				case 0x96: push(bytes(length(s64()))); break; // BYTEARRAY8
				case ')': push(tuple(new ArrayList<>())); break; // EMPTY_TUPLE
				case 0x85: push(tuple(popN(1))); break; // TUPLE1
				case 0x86: push(tuple(popN(2))); break; // TUPLE2
				case 0x87: push(tuple(popN(3))); break; // TUPLE3
				case 't': push(tuple(popMark())); break; // TUPLE
				case ']': push(new ArrayList<>()); break; // EMPTY_LIST
				case 'l': push(new ArrayList<>(popMark())); break; // LIST
				case 'a': // APPEND
					Object item = pop();
					list(peek()).add(item);
					break;
				case 'e': // APPENDS
					List<Object> items = popMark();
					list(peek()).addAll(items);
					break;
				case '}': push(new LinkedHashMap<>()); break; // EMPTY_DICT
				case 'd': // DICT
					Map<Object, Object> dict = new LinkedHashMap<>();
					putPairs(dict, popMark());
					push(dict);
					break;
				case 's': // SETITEM
					Object value = pop();
					Object key = pop();
					map(peek()).put(key, value);
					break;
				case 'u': // SETITEMS
					List<Object> pairs = popMark();
					putPairs(map(peek()), pairs);
					break;
				case 0x8f: push(new LinkedHashSet<>()); break; // EMPTY_SET
				case 0x90: // ADDITEMS
					List<Object> elements = popMark();
					set(peek()).addAll(elements);
					break;
				case 0x91: push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark()))); break; // FROZENSET
				case 'q': memo.put((long) u8(), peek()); break; // BINPUT
				case 'r': memo.put(u32(), peek()); break; // LONG_BINPUT
				case 0x94: memo.put((long) memo.size(), peek()); break; // MEMOIZE
				case 'h': push(memoGet(u8())); break; // BINGET
				case 'j': push(memoGet(u32())); break; // LONG_BINGET
				case 'c': { // GLOBAL
					String module = line();
					String name = line();
					push(globals.resolve(module, name));
					break;
				}
				case 0x93: { // STACK_GLOBAL
					Object name = pop();
					Object module = pop();
					if (!(module instanceof String) || !(name instanceof String))
						throw malformed("STACK_GLOBAL needs two strings");
					push(globals.resolve((String) module, (String) name));
					break;
				}
				case 'R': { // REDUCE
					List<Object> args = tuple(pop());
					push(function(pop(), "REDUCE").call(args));
					break;
				}
				case 0x81: { // NEWOBJ: cls.__new__(cls, *args); only allowed classes are PickleFunctions
					List<Object> args = tuple(pop());
					push(function(pop(), "NEWOBJ").call(args));
					break;
				}
				case 0x92: { // NEWOBJ_EX
					Object kwargs = pop();
					List<Object> args = tuple(pop());
					if (!(kwargs instanceof Map) || !((Map<?, ?>) kwargs).isEmpty())
						throw malformed("NEWOBJ_EX with keyword arguments is not supported");
					push(function(pop(), "NEWOBJ_EX").call(args));
					break;
				}
				case 'b': // BUILD
					build(pop(), peek());
					break;
				case 'Q': // BINPERSID
					push(persistent.load(pop()));
					break;
				default:
					throw malformed(String.format("uses pickle opcode 0x%02x%s at offset %d, which this reader does not"
						+ " support", op, op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : "", opStart));
			}
		}
	}

	/**
	 * Sets an object's state. The only objects that get here are dicts (an OrderedDict's attributes, such as
	 * a state_dict's {@code _metadata}, which carries module versions and no weights: dropped).
	 */
	private void build(Object state, Object target) throws CheckpointException {
		if (target instanceof Map && (state == null || state instanceof Map)) return;
		throw malformed("BUILD on " + typeName(target) + " at offset " + opStart + " is not supported");
	}

	private void putPairs(Map<Object, Object> map, List<Object> pairs) throws CheckpointException {
		if (pairs.size() % 2 != 0) throw malformed("has an odd number of dict items at offset " + opStart);
		for (int i = 0; i < pairs.size(); i += 2)
			map.put(pairs.get(i), pairs.get(i + 1));
	}

	private PickleFunction function(Object callable, String op) throws CheckpointException {
		if (callable instanceof PickleFunction) return (PickleFunction) callable;
		throw malformed(op + " at offset " + opStart + " applied to " + typeName(callable) + ", which is not callable");
	}

	@SuppressWarnings("unchecked")
	private List<Object> tuple(Object value) throws CheckpointException {
		if (value instanceof List) return (List<Object>) value;
		throw malformed("expected a tuple at offset " + opStart + ", found " + typeName(value));
	}

	private static List<Object> tuple(List<Object> items) {
		return Collections.unmodifiableList(items);
	}

	@SuppressWarnings("unchecked")
	private List<Object> list(Object value) throws CheckpointException {
		if (value instanceof ArrayList) return (List<Object>) value;
		throw malformed("APPEND at offset " + opStart + " on " + typeName(value) + ", not a list");
	}

	@SuppressWarnings("unchecked")
	private Map<Object, Object> map(Object value) throws CheckpointException {
		if (value instanceof LinkedHashMap) return (Map<Object, Object>) value;
		throw malformed("SETITEM at offset " + opStart + " on " + typeName(value) + ", not a dict");
	}

	@SuppressWarnings("unchecked")
	private Set<Object> set(Object value) throws CheckpointException {
		if (value instanceof LinkedHashSet) return (Set<Object>) value;
		throw malformed("ADDITEMS at offset " + opStart + " on " + typeName(value) + ", not a set");
	}

	private Object memoGet(long index) throws CheckpointException {
		if (!memo.containsKey(index)) throw malformed("reads memo entry " + index + " at offset " + opStart + " before it is set");
		return memo.get(index);
	}

	private void push(Object value) {
		stack.add(value);
	}

	private Object peek() throws CheckpointException {
		if (stack.isEmpty()) throw malformed("reads an empty stack at offset " + opStart);
		return stack.get(stack.size() - 1);
	}

	private Object pop() throws CheckpointException {
		if (stack.isEmpty()) throw malformed("pops an empty stack at offset " + opStart);
		return stack.remove(stack.size() - 1);
	}

	private List<Object> popN(int n) throws CheckpointException {
		if (stack.size() < n) throw malformed("pops an empty stack at offset " + opStart);
		List<Object> top = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
		stack.subList(stack.size() - n, stack.size()).clear();
		return top;
	}

	/** The items pushed since the last MARK, which is removed. */
	private List<Object> popMark() throws CheckpointException {
		if (metastack.isEmpty()) throw malformed("has no MARK for the opcode at offset " + opStart);
		List<Object> items = stack;
		stack = metastack.remove(metastack.size() - 1);
		return items;
	}

	private int u8() throws CheckpointException {
		need(1);
		return data[pos++] & 0xff;
	}

	private int s32() throws CheckpointException {
		return u8() | u8() << 8 | u8() << 16 | u8() << 24;
	}

	private long u32() throws CheckpointException {
		return s32() & 0xffffffffL;
	}

	private long s64() throws CheckpointException {
		return u32() | u32() << 32;
	}

	/** A length field, checked against the bytes left so that a forged length cannot allocate gigabytes. */
	private int length(long n) throws CheckpointException {
		if (n < 0 || n > data.length - pos) throw malformed("has a length " + n + " at offset " + opStart
			+ " beyond its end");
		return (int) n;
	}

	private byte[] bytes(int n) throws CheckpointException {
		need(n);
		byte[] out = Arrays.copyOfRange(data, pos, pos + n);
		pos += n;
		return out;
	}

	/** A newline-terminated ASCII line (GLOBAL's module and name). */
	private String line() throws CheckpointException {
		int start = pos;
		while (pos < data.length && data[pos] != '\n')
			pos++;
		if (pos >= data.length) throw malformed("ends inside a GLOBAL at offset " + opStart);
		return new String(data, start, pos++ - start, StandardCharsets.UTF_8);
	}

	private void need(int n) throws CheckpointException {
		if (n > data.length - pos) throw malformed("ends unexpectedly at offset " + data.length
			+ " inside the opcode at offset " + opStart);
	}

	private static String utf8(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

	/** Little-endian two's complement, as LONG1 and LONG4 store it; Long where it fits. */
	private static Object longOf(byte[] littleEndian) {
		if (littleEndian.length == 0) return 0L;
		byte[] bigEndian = new byte[littleEndian.length];
		for (int i = 0; i < littleEndian.length; i++)
			bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
		BigInteger value = new BigInteger(bigEndian);
		return value.bitLength() < 64 ? (Object) value.longValue() : value;
	}

	/** The Python type name of an unpickled value, for messages. */
	static String typeName(Object value) {
		if (value == null) return "None";
		if (value instanceof String) return "str";
		if (value instanceof Long || value instanceof BigInteger) return "int";
		if (value instanceof Double) return "float";
		if (value instanceof Boolean) return "bool";
		if (value instanceof byte[]) return "bytes";
		if (value instanceof ArrayList) return "list";
		if (value instanceof List) return "tuple";
		if (value instanceof Map) return "dict";
		if (value instanceof Set) return "set";
		if (value instanceof RawTensor) return "tensor";
		if (value instanceof Storage) return "storage";
		if (value instanceof TorchDtype) return "storage type";
		if (value instanceof PickleFunction) return "function";
		return value.getClass().getSimpleName();
	}

	private CheckpointException malformed(String what) {
		return new CheckpointException(where + " " + what);
	}
}
