package fiji.plugin.derain.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceChoiceTest {

	@Test
	void parsesIgnoringCaseAndBlanks() {
		assertEquals(DeviceChoice.AUTO, DeviceChoice.parse("auto"));
		assertEquals(DeviceChoice.CPU, DeviceChoice.parse(" CPU "));
		assertEquals(DeviceChoice.GPU, DeviceChoice.parse("Gpu"));
	}

	@Test
	void rejectsUnknownNamesWithTheAllowedOnes() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse("tpu"));
		assertEquals("unknown device 'tpu': use auto | cpu | gpu", e.getMessage());
		assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse(null)).getMessage()
				.startsWith("unknown device 'null'"));
	}

	@Test
	void idsAreTheDialogChoices() {
		assertArrayEquals(new String[] { "auto", "cpu", "gpu" }, DeviceChoice.ids());
	}
}
