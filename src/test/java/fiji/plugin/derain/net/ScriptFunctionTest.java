package fiji.plugin.derain.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bundled TorchScript embedding_bag: values, index types, named arguments and gradients, computed by hand. */
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
}
