package fiji.plugin.derain.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Comparisons of arrays against reference fixtures. */
final class NetAssert {
	private NetAssert() {}

	/**
	 * Same shape, and max |actual − expected| ≤ tol · max(1, max |expected|): an absolute tolerance for
	 * values of order 1, relative for large ones (gradients).
	 */
	static void assertClose(NDArray expected, NDArray actual, double tol, String what) {
		assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
		NDArray e = expected.toType(DataType.FLOAT64, false), a = actual.toType(DataType.FLOAT64, false);
		double scale = Math.max(1, e.abs().max().getDouble());
		double diff = a.sub(e).abs().max().getDouble();
		assertTrue(diff <= tol * scale, what + ": max |diff| " + diff + " > " + tol + " * " + scale);
	}

	/** Entries of {@code fixture} whose names start with {@code prefix}, with the prefix removed. */
	static Map<String, NDArray> strip(Map<String, NDArray> fixture, String prefix) {
		Map<String, NDArray> out = new LinkedHashMap<>();
		fixture.forEach((k, v) -> {
			if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
		});
		return out;
	}

	/** Initialises {@code block} and loads the fixture tensors named by its state under {@code prefix}. */
	static <B extends NetBlock> B load(B block, String prefix, Map<String, NDArray> fixture, NDManager manager) {
		block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 1, 1));
		Map<String, ai.djl.nn.Parameter> state = new LinkedHashMap<>();
		block.collectState(prefix, state);
		Set<String> inFixture = new TreeSet<>(strip(fixture, prefix + ".").keySet());
		inFixture.removeAll(Set.of("x", "skip", "out"));
		Set<String> inBlock = new TreeSet<>();
		for (String k : state.keySet()) inBlock.add(k.substring(prefix.length() + 1));
		assertEquals(inFixture, inBlock, prefix + ": state names");
		NetBlock.copyState(state, fixture);
		return block;
	}
}
