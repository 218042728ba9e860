package fiji.plugin.derain.io.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fiji.plugin.derain.testutil.Fixtures;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pickle VM on pickles Python wrote (plain_p2.pkl, plain_p5.pkl: see plain_values in
 * tools/make_pth_fixtures.py, spelled out again here) and on hand-made broken ones.
 */
class UnpicklerTest {
	/** Only OrderedDict, as in a checkpoint; everything else is refused. */
	private static final Unpickler.Globals ORDERED_DICT_ONLY = (module, name) -> {
		if (module.equals("collections") && name.equals("OrderedDict"))
			return (Unpickler.PickleFunction) args -> new LinkedHashMap<Object, Object>();
		throw new CheckpointException("refused " + module + "." + name);
	};
	private static final Unpickler.PersistentLoader NO_PERSISTENT_IDS = pid -> {
		throw new CheckpointException("no persistent ids here");
	};

	private static Object unpickle(byte[] pickle) throws IOException {
		return new Unpickler(pickle, "test.pth: data.pkl", ORDERED_DICT_ONLY, NO_PERSISTENT_IDS).load();
	}

	@ParameterizedTest
	@ValueSource(ints = { 2, 5 })
	void readsWhatPythonWrote(int protocol) throws IOException {
		Map<?, ?> values = (Map<?, ?>) unpickle(Files.readAllBytes(Fixtures.path("pth/plain_p" + protocol + ".pkl")));

		List<Object> keys = new ArrayList<>(List.of("ints", "floats", "strs", "tuples", "none", "bools", "shared", 7L));
		if (protocol >= 3) keys.addAll(List.of("bytes", "sets"));
		assertEquals(keys, new ArrayList<>(values.keySet()));

		assertEquals(List.of(0L, 1L, 255L, 256L, 65535L, 65536L, -1L, -2147483648L, 2147483648L, Long.MAX_VALUE,
			Long.MIN_VALUE, BigInteger.TWO.pow(64), BigInteger.TWO.pow(100).negate()), values.get("ints"));
		assertEquals(List.of(0.5, -1e300, Double.POSITIVE_INFINITY), values.get("floats"));
		assertEquals(List.of("", "\u00e9\u20ac\uD83D\uDE00", "x".repeat(300)), values.get("strs"));
		assertEquals(List.of(List.of(0L), List.of(2L, 3L), List.of(4L, 5L, 6L), List.of(7L, 8L, 9L, 10L), List.of()),
			values.get("tuples"));
		assertEquals(null, values.get("none"));
		assertEquals(List.of(true, false), values.get("bools"));
		List<?> shared = (List<?>) values.get("shared");
		assertEquals(List.of("same"), shared.get(0));
		assertSame(shared.get(0), shared.get(1), "the memo returns the same object");
		assertEquals("int key", values.get(7L));
		if (protocol >= 3) {
			List<?> bytes = (List<?>) values.get("bytes");
			assertArrayEquals(new byte[] { 0, (byte) 0xff }, (byte[]) bytes.get(0));
			assertArrayEquals("y".repeat(300).getBytes(StandardCharsets.US_ASCII), (byte[]) bytes.get(1));
			assertArrayEquals(new byte[] { 'a', 'b' }, (byte[]) bytes.get(2));
			assertEquals(List.of(Set.of(3L), Set.of(4L)), values.get("sets"));
		}
	}

	@Test
	void unknownOpcodeNamesItAndItsOffset() {
		// PROTO 2, then protocol 0's INT "1\n"
		byte[] pickle = { (byte) 0x80, 2, 'I', '1', '\n', '.' };
		CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle));
		assertEquals("test.pth: data.pkl uses pickle opcode 0x49 ('I') at offset 2, which this reader does not support",
			e.getMessage());
	}

	@Test
	void onlyAllowedFunctionsCanBeCalled() {
		// a string, an empty tuple, REDUCE: calling "x"() must not be attempted
		byte[] pickle = { (byte) 0x80, 2, (byte) 0x8c, 1, 'x', ')', 'R', '.' };
		CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle));
		assertEquals("test.pth: data.pkl REDUCE at offset 6 applied to str, which is not callable", e.getMessage());
	}

	@Test
	void refusedGlobalStopsBeforeAnyCall() {
		byte[] pickle = ascii("\u0080\u0002cposix\nsystem\nX\u0001\u0000\u0000\u0000x\u0085R.");
		CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle));
		assertEquals("refused posix.system", e.getMessage());
	}

	@Test
	void forgedLengthIsCaughtBeforeAllocating() {
		// BINUNICODE claiming 4 GB
		byte[] pickle = { (byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a', '.' };
		CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle));
		assertEquals("test.pth: data.pkl has a length 4294967295 at offset 2 beyond its end", e.getMessage());
	}

	@Test
	void malformedPicklesGiveMessagesNotCrashes() {
		assertMessage("test.pth: data.pkl ends at offset 3 without a STOP opcode", ascii("\u0080\u0002N"));
		assertMessage("test.pth: data.pkl reads memo entry 5 at offset 2 before it is set", ascii("\u0080\u0002h\u0005."));
		assertMessage("test.pth: data.pkl pops an empty stack at offset 2", ascii("\u0080\u0002."));
		assertMessage("test.pth: data.pkl has no MARK for the opcode at offset 2", ascii("\u0080\u0002t."));
		assertMessage("test.pth: data.pkl SETITEM at offset 5 on list, not a dict", ascii("\u0080\u0002]NNs."));
		assertMessage("test.pth: data.pkl APPEND at offset 4 on tuple, not a list",
			ascii("\u0080\u0002)Na."));
		assertMessage("test.pth: data.pkl ends unexpectedly at offset 3 inside the opcode at offset 2",
			ascii("\u0080\u0002J"));
	}

	private static void assertMessage(String expected, byte[] pickle) {
		CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle), Arrays.toString(pickle));
		assertEquals(expected, e.getMessage());
	}

	/** Bytes of a string of chars below 256 (pickle opcodes are bytes; Java source has no byte literals). */
	private static byte[] ascii(String s) {
		return s.getBytes(StandardCharsets.ISO_8859_1);
	}
}
