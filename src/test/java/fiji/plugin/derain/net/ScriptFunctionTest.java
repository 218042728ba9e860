package fiji.plugin.derain.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled TorchScript embedding_bag and its backward: values, index types, named arguments and gradients, computed
 * by hand, and the backward against libtorch's autograd of embedding_bag.
 */
class ScriptFunctionTest {

	@ParameterizedTest
	@ValueSource(strings = {"int64", "int32", "int64 named"})
	void embeddingBagSumsWeightedRows(String variant) {
		try (NDManager manager = NDManager.newBaseManager()) {
			sumsWeightedRows(manager, variant);
		}
	}

	private static void sumsWeightedRows(NDManager manager, String variant) {
		NDArray table = manager.create(new float[] {1, 2, 10, 20, 100, 200}, new Shape(3, 2));
		// a dotted name (a parameter's) made DJL pass the array as a dict entry, not as a tensor
		if (variant.endsWith("named")) table.setName("block.weight");
		NDArray index = manager.create(new long[] {0, 2, 1, 1}, new Shape(2, 2))
			.toType(variant.startsWith("int32") ? DataType.INT32 : DataType.INT64, false);
		NDArray weights = manager.create(new float[] {0.5f, 2, 1, 3}, new Shape(2, 2));
		NDArray out = ScriptFunction.EMBEDDING_BAG.apply(table, index, weights);
		// row 0: 0.5·(1, 2) + 2·(100, 200); row 1: 1·(10, 20) + 3·(10, 20)
		assertArrayEquals(new float[] {200.5f, 401, 40, 80}, out.toFloatArray(), 0f);
		assertArrayEquals(new long[] {2, 2}, out.getShape().getShape());
	}

	@ParameterizedTest
	@ValueSource(booleans = {false, true})
	void embeddingBagGradientsReachTheTableAndTheWeights(boolean named) {
		try (NDManager manager = NDManager.newBaseManager()) {
			gradientsReachTheTableAndTheWeights(manager, named);
		}
	}

	private static void gradientsReachTheTableAndTheWeights(NDManager manager, boolean named) {
		NDArray table = manager.create(new float[] {1, 2, 10, 20, 100, 200}, new Shape(3, 2));
		if (named) table.setName("block.weight");
		NDArray weights = manager.create(new float[] {0.5f, 2, 1, 3}, new Shape(2, 2));
		table.setRequiresGradient(true);
		weights.setRequiresGradient(true);
		NDArray index = manager.create(new long[] {0, 2, 1, 1}, new Shape(2, 2));
		try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
			collector.backward(ScriptFunction.EMBEDDING_BAG.apply(table, index, weights).sum());
		}
		// d sum / d table[r] = the weights that pick row r; d sum / d weights[b, k] = the sum of row index[b, k]
		assertArrayEquals(new float[] {0.5f, 0.5f, 4, 4, 2, 2}, table.getGradient().toFloatArray(), 0f);
		assertArrayEquals(new float[] {3, 300, 30, 30}, weights.getGradient().toFloatArray(), 0f);
	}

	@ParameterizedTest
	@ValueSource(strings = {"int64", "int32"})
	void embeddingBagBackwardGivesTheGradientsByHand(String type) {
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray table = manager.create(new float[] {1, 2, 10, 20, 100, 200, 7, 8}, new Shape(4, 2));
			NDArray index = manager.create(new long[] {0, 2, 1, 1, 2, 0}, new Shape(3, 2))
				.toType(type.equals("int32") ? DataType.INT32 : DataType.INT64, false);
			NDArray weights = manager.create(new float[] {0.5f, 2, 1, 3, -1, 4}, new Shape(3, 2));
			NDArray grad = manager.create(new float[] {1, -1, 2, 0.5f, 3, 1}, new Shape(3, 2));
			NDList g = ScriptFunction.EMBEDDING_BAG_BACKWARD.applyAll(grad, table, index, weights);
			// table row r gets Σ weights[b, k]·grad[b] over index[b, k] = r: row 0 from (0, 0) and (2, 1), row 1 from
			// (1, 0) and (1, 1), row 2 from (0, 1) and (2, 0), row 3 from nothing
			assertArrayEquals(new float[] {0.5f + 12, -0.5f + 4, 2 + 6, 0.5f + 1.5f, 2 - 3, -2 - 1, 0, 0},
				g.get(0).toFloatArray(), 0f);
			// weights[b, k] gets grad[b] · table[index[b, k]]
			assertArrayEquals(new float[] {1 - 2, 100 - 200, 20 + 10, 20 + 10, 300 + 200, 3 + 2}, g.get(1).toFloatArray(), 0f);
			assertArrayEquals(new long[] {3, 2}, g.get(1).getShape().getShape());
		}
	}

	@Test
	void embeddingBagBackwardEqualsAutogradOfEmbeddingBag() {
		try (NDManager manager = NDManager.newBaseManager()) {
			manager.getEngine().setRandomSeed(5);
			NDArray table = manager.randomUniform(-1, 1, new Shape(50, 7));
			NDArray index = manager.randomInteger(0, 50, new Shape(300, 4), DataType.INT32);
			NDArray weights = manager.randomUniform(0, 1, new Shape(300, 4));
			NDArray grad = manager.randomUniform(-1, 1, new Shape(300, 7));
			NDList mine = ScriptFunction.EMBEDDING_BAG_BACKWARD.applyAll(grad, table, index, weights);
			table.setRequiresGradient(true);
			weights.setRequiresGradient(true);
			try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
				collector.backward(ScriptFunction.EMBEDDING_BAG.apply(table, index, weights).mul(grad).sum());
			}
			// libtorch's own backward of embedding_bag sums each row's entries in another order: float rounding apart
			assertArrayEquals(table.getGradient().toFloatArray(), mine.get(0).toFloatArray(), 1e-5f);
			assertArrayEquals(weights.getGradient().toFloatArray(), mine.get(1).toFloatArray(), 0f);
		}
	}
}
