package fiji.plugin.derain.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.MacroKeys;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How a macro's options set a checkbox, in both apps ({@link MacroKeys}). */
class MacroKeysTest {

	@Test
	void bareWordAndTrueTickFalseAndAbsenceClear() {
		assertTrue(MacroKeys.flag("input=[/a] overwrite ", "overwrite"));
		assertTrue(MacroKeys.flag("overwrite", "overwrite"));
		assertTrue(MacroKeys.flag("overwrite=true tile=64 ", "overwrite"));
		assertTrue(MacroKeys.flag("overwrite=True", "overwrite"));
		assertTrue(MacroKeys.flag("overwrite=[true]", "overwrite"));
		assertTrue(MacroKeys.flag("overwrite='true'", "overwrite"));
		assertFalse(MacroKeys.flag("overwrite=false recursive", "overwrite"));
		assertFalse(MacroKeys.flag("input=[/a] ", "overwrite"));
		assertFalse(MacroKeys.flag("", "overwrite"));
	}

	@Test
	void theWordMustStandAloneOutsideValues() {
		assertFalse(MacroKeys.flag("input=[/data/overwrite] ", "overwrite"));
		assertFalse(MacroKeys.flag("input=[/my overwrite folder] ", "overwrite"));
		assertFalse(MacroKeys.flag("csv='a overwrite b' ", "overwrite"));
		assertFalse(MacroKeys.flag("overwrite_all ", "overwrite"));
		assertFalse(MacroKeys.flag("no_overwrite ", "overwrite"));
		assertFalse(MacroKeys.flag("pattern=overwrite ", "overwrite"));
		assertTrue(MacroKeys.flag("input=[/a b] overwrite output=[/c]", "overwrite"));
	}

	@Test
	void anyOtherValueFailsNamingTheKey() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacroKeys.flag("resume=yes",
			"resume"));
		assertEquals("resume: expected resume=true, resume=false or the bare word resume, got 'yes'", e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> MacroKeys.flag("resume=1", "resume"));
	}

	/** A bare word reads as ImageJ 1.54p's GenericDialog reads it, so recorded ImageJ 1.x macros keep their meaning. */
	@Test
	void bareWordsReadAsGenericDialogReadsThem() {
		for (String options : List.of("overwrite", "a=1 overwrite b=2", "input=[/x overwrite] b=2", "overwrite_x=1",
			"input=[/a] output=[/b] recursive overwrite", "input=[/a]overwrite", "xoverwrite", "input=[[/a]] overwrite",
			"pattern=overwrite"))
			assertEquals(GenericDialogEmulation.isMatch(options + " ", "overwrite "), MacroKeys.hasBareWord(options,
				"overwrite"), options);
	}
}
