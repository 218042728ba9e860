package fiji.plugin.derain.io.pth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fiji.plugin.derain.testutil.Fixtures;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Finding the state_dict in the shapes training scripts save it in; tensors come from a real checkpoint. */
class StateDictsTest {
	private static final Path SOURCE = Paths.get("model.pth");
	private static RawTensor weight;
	private static RawTensor bias;

	@BeforeAll
	static void readTensors() throws IOException {
		Map<?, ?> sd = (Map<?, ?>) PthReader.read(Fixtures.path("pth/state_dict.pth"));
		weight = (RawTensor) sd.get("conv.1.weight");
		bias = (RawTensor) sd.get("out.bias");
	}

	private static Map<Object, Object> dict(Object... pairs) {
		Map<Object, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < pairs.length; i += 2)
			map.put(pairs[i], pairs[i + 1]);
		return map;
	}

	@Test
	void acceptsEachWrapperKey() throws CheckpointException {
		for (String key : List.of("state_dict", "model_state_dict", "model")) {
			Object root = dict("epoch", 3L, key, dict("w", weight), "optimizer", dict("lr", 1e-4));
			LinkedHashMap<String, RawTensor> tensors = StateDicts.extract(root, SOURCE);
			assertEquals(List.of("w"), new ArrayList<>(tensors.keySet()), key);
			assertSame(weight, tensors.get("w"));
		}
	}

	@Test
	void stripsDataParallelAndGtRainPrefixesAndSkipsNonTensors() throws CheckpointException {
		Object root = dict("module.resnet.a.weight", weight, "resnet.b.bias", bias, "epoch", 7L, "net.c", bias);
		LinkedHashMap<String, RawTensor> tensors = StateDicts.extract(root, SOURCE);
		assertEquals(List.of("a.weight", "b.bias", "net.c"), new ArrayList<>(tensors.keySet()));
	}

	@Test
	void namesThatCollideAfterStrippingAreAnError() {
		Object root = dict("a.weight", weight, "module.a.weight", weight);
		CheckpointException e = assertThrows(CheckpointException.class, () -> StateDicts.extract(root, SOURCE));
		assertEquals("model.pth has two tensors named a.weight once the module./resnet. prefixes are removed",
			e.getMessage());
	}

	@Test
	void notADictIsExplained() {
		CheckpointException e = assertThrows(CheckpointException.class, () -> StateDicts.extract(weight, SOURCE));
		assertEquals("model.pth holds a single tensor, not a dict of tensors; save the model's state_dict() instead",
			e.getMessage());
		e = assertThrows(CheckpointException.class, () -> StateDicts.extract(List.of(1L), SOURCE));
		assertEquals("model.pth holds a tuple, not a dict of tensors; save the model's state_dict() instead",
			e.getMessage());
	}

	@Test
	void dictWithoutTensorsListsItsKeys() {
		Object root = dict("epoch", 3L, "optimizer", dict(), "best_psnr", 23.5);
		CheckpointException e = assertThrows(CheckpointException.class, () -> StateDicts.extract(root, SOURCE));
		assertEquals("model.pth holds no tensors (its keys: epoch, optimizer, best_psnr); expected a state_dict,"
			+ " or a dict with one under 'state_dict'", e.getMessage());
	}
}
