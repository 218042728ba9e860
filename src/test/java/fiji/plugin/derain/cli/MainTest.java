package fiji.plugin.derain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.testutil.Fixtures;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line tool end to end: exit codes, one-line errors, outputs, resume. */
class MainTest {
	@TempDir
	Path tmp;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	private int derain(String... args) {
		out.reset();
		err.reset();
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	@Test
	void usageMistakesExitWith2AndOneLine() {
		assertEquals(2, derain("frobnicate"));
		assertTrue(err().startsWith("derain: unknown command 'frobnicate'"), err());
		assertEquals(2, derain("run", "--out", tmp.toString(), "--tile", "abc", "x.png"));
		assertEquals("derain run: --tile must be a whole number, got 'abc'\n", err());
		assertEquals(2, derain("run", "--out", tmp.toString(), "a/x.png", "b/x.jpg"));
		assertTrue(err().contains("would both be written as x.*"), err());
	}

	@Test
	void importRefusesAMaliciousCheckpointWithOneLine() {
		assertEquals(1, derain("import-gtrain", Fixtures.path("pth/evil_os_system.pth").toString(), "--out",
			tmp.resolve("m").toString()));
		assertEquals(1, err().lines().count(), err());
		assertTrue(err().contains("asks to run posix.system"), err());
		assertTrue(Files.notExists(tmp.resolve("m")));
	}

	@Test
	void importRunEvalAndResume() throws Exception {
		Path model = tmp.resolve("model"), in = tmp.resolve("in.png"), outDir = tmp.resolve("out");
		assertEquals(0, derain("import-gtrain", Fixtures.path("import/gtrain_small_official.pth").toString(), "--out",
			model.toString()), err());
		ColorProcessor cp = new ColorProcessor(45, 31);
		for (int i = 0; i < 45 * 31; i++)
			cp.set(i, (i * 2654435761L & 0xffffff) == 0 ? 1 : (int) (i * 2654435761L & 0xffffff));
		new FileSaver(new ImagePlus("in", cp)).saveAsPng(in.toString());

		assertEquals(0, derain("run", "--model", model.toString(), "--device", "cpu", "--out", outDir.toString(),
			in.toString()), err());
		ImagePlus result = ij.IJ.openImage(outDir.resolve("in.png").toString());
		assertEquals(45, result.getWidth(), "output size = input size");
		assertEquals(31, result.getHeight());
		byte[] first = Files.readAllBytes(outDir.resolve("in.png"));
		assertEquals(0, derain("run", "--model", model.toString(), "--out", outDir.toString(), in.toString()), err());
		assertTrue(err().contains("skipped"), err());
		assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(outDir.resolve("in.png"))), "not overwritten");

		Path csv = tmp.resolve("scores.csv");
		assertEquals(0, derain("eval", "--pred", in.toString(), "--ref", in.toString(), "--csv", csv.toString()), err());
		assertTrue(out.toString(StandardCharsets.UTF_8).contains("mean (1 images, standard): PSNR inf dB, SSIM 1.0000"),
			out.toString(StandardCharsets.UTF_8));
		assertEquals("file,psnr,ssim,error", Files.readAllLines(csv).get(0));
	}
}
