package fiji.plugin.derain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.CommandFixtures;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.synth.RainParams;
import fiji.plugin.derain.synth.SynthesizeBatch;

import ij.ImagePlus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code derain synth} end to end: the engine's pairs, the report, resume, one-line errors and exit codes. */
class SynthCommandTest extends CliTestBase {
	@Test
	void writesTheEnginesPairsAndResumes() throws Exception {
		Path photos = Files.createDirectories(tmp.resolve("photos")), pairs = tmp.resolve("pairs");
		for (int k = 0; k < 3; k++)
			ImageFiles.write(new ImagePlus("p" + k, CommandFixtures.rgb(48, 40, 60 + k)), photos.resolve("p" + k + ".png"),
				ImageFiles.Format.PNG, false);
		assertEquals(0, derain("synth", "--clean", photos.toString(), "--out", pairs.toString(), "--preset", "heavy",
			"--seed", "3", "--angle", "15"), err());
		assertTrue(err().contains("3 done"), err());

		// The pairs are what the engine makes with the same values (bit-identical: the rain is seeded per file).
		Path expected = tmp.resolve("expected");
		RainParams params = RainParams.Preset.HEAVY.params().toBuilder().optAngle(15).optSeed(3).build();
		new SynthesizeBatch(expected, params, true, 0, false).job().process(photos.resolve("p1.png"), Path.of("p1.png"));
		for (String part : List.of("rainy", "clean", "layers"))
			assertEquals(0, CommandFixtures.maxRgbDifference(ImageFiles.read(pairs.resolve(part + "/p1.png")),
				ImageFiles.read(expected.resolve(part + "/p1.png"))), part);
		assertTrue(CommandFixtures.maxRgbDifference(ImageFiles.read(pairs.resolve("rainy/p1.png")),
			ImageFiles.read(photos.resolve("p1.png"))) > 20, "no rain on the rainy image");
		List<String> report = Files.readAllLines(pairs.resolve("synth-report.csv"));
		assertEquals("file,status,seconds,message", report.get(0));
		assertEquals(4, report.size(), report.toString());

		// Re-running skips what exists; a broken photo is reported on its own line and gives exit code 1.
		byte[] rainy = Files.readAllBytes(pairs.resolve("rainy/p0.png"));
		Files.writeString(photos.resolve("broken.png"), "not a PNG");
		assertEquals(1, derain("synth", "--clean", photos.toString(), "--out", pairs.toString(), "--preset", "heavy"));
		assertTrue(err().contains("3 skipped") && err().contains("1 failed"), err());
		assertTrue(err().lines().anyMatch(l -> l.contains("broken.png: failed:")), err());
		assertTrue(java.util.Arrays.equals(rainy, Files.readAllBytes(pairs.resolve("rainy/p0.png"))), "not overwritten");
		assertTrue(Files.notExists(pairs.resolve("rainy/broken.png")));
	}

	@Test
	void usageMistakesExitWith2AndOneLine() {
		String out = tmp.resolve("pairs").toString();
		assertEquals(2, derain("synth", "--out", out));
		assertEquals("derain synth: --clean is required\n", err());
		assertEquals(2, derain("synth", "--clean", tmp.toString(), "--out", out, "--preset", "drizzle"));
		assertEquals(1, err().lines().count(), err());
		assertTrue(err().contains("drizzle"), err());
		assertEquals(2, derain("synth", "--clean", tmp.toString(), "--out", out, "--angle", "steep"));
		assertEquals("derain synth: --angle must be a number, got 'steep'\n", err());
		assertEquals(2, derain("synth", "--clean", tmp.toString(), "--out", out, "--brightness", "7"));
		assertEquals(1, err().lines().count(), err());
		assertTrue(err().contains("brightness"), err());
		assertTrue(Files.notExists(tmp.resolve("pairs")), "nothing written after a usage mistake");
	}
}
