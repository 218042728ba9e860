package fiji.plugin.derain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.testutil.Fixtures;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The command-line tool end to end: exit codes, one-line errors, outputs, resume. */
class MainTest extends CliTestBase {
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
		Path model = tmp.resolve("model"), in = Files.createDirectories(tmp.resolve("inputs")).resolve("in.png");
		Path outDir = tmp.resolve("out");
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
		assertTrue(out().contains("mean (1 images, standard): PSNR inf dB, SSIM 1.0000"),
			out());
		assertEquals("file,psnr,ssim,error", Files.readAllLines(csv).get(0));
	}

	@Test
	void runNeverWritesOverItsInputs() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("photos"));
		Path a = dir.resolve("a.png"), b = dir.resolve("b.png");
		for (Path p : new Path[] { a, b }) new FileSaver(new ImagePlus("p", new ColorProcessor(6, 5))).saveAsPng(p.toString());
		byte[] before = Files.readAllBytes(a);
		// --out is the inputs' folder: refused, with or without --overwrite, before the model is even looked for
		for (String[] extra : new String[][] { {}, { "--overwrite" } }) {
			String[] args = concat(new String[] { "run", "--model", tmp.resolve("no-model").toString(), "--out",
				dir.toString() }, extra, new String[] { a.toString(), b.toString() });
			assertEquals(2, derain(args), err());
			assertEquals(1, err().lines().count(), err());
			assertTrue(err().startsWith("derain run: output folder " + dir + " is the input folder " + dir), err());
		}
		// inside the inputs' folder: refused too; allowed explicitly, still never over an input
		assertEquals(2, derain("run", "--out", dir.resolve("derained").toString(), a.toString()));
		assertTrue(err().contains("is inside the input folder"), err());
		assertEquals(2, derain("run", "--allow-output-in-input", "--overwrite", "--out", dir.toString(), a.toString()));
		assertEquals("derain run: " + a + " would be replaced by its own output; choose another --out or --format\n",
			err());
		assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(a)));
		try (var files = Files.list(dir)) {
			assertEquals(2, files.count(), "nothing written");
		}
	}

	@Test
	void anUnusableOutIsReportedBeforeAnyWork() throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in")).resolve("a.png"), file = tmp.resolve("out.txt");
		new FileSaver(new ImagePlus("p", new ColorProcessor(6, 5))).saveAsPng(in.toString());
		Files.writeString(file, "not a folder");
		assertEquals(2, derain("run", "--model", tmp.resolve("no-model").toString(), "--out", file.toString(),
			in.toString()));
		assertEquals("derain run: --out " + file + ": is a file, not a folder: give a folder for the outputs\n", err());
		assertEquals(2, derain("run", "--out", file.resolve("sub").toString(), in.toString()));
		assertEquals(1, err().lines().count(), err());
		assertTrue(err().startsWith("derain run: --out " + file.resolve("sub") + ": cannot be used as the output folder"),
			err());
	}

	@Test
	void runReportsBudgetAndDroppedAlphaAndDerainsTinyImages() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("in")), outDir = tmp.resolve("out");
		Path rgba = dir.resolve("rgba.png"), tiny = dir.resolve("tiny.png");
		Files.write(rgba, fiji.plugin.derain.testutil.PngBytes.png(2, 2, fiji.plugin.derain.testutil.PngBytes.RGBA, 8,
			null, (x, y, c) -> c == 3 ? 128 : 60 * c));
		new FileSaver(new ImagePlus("p", new ColorProcessor(20, 10))).saveAsPng(tiny.toString());
		assertEquals(1, derain("run", "--device", "cpu", "--max-pixels", "100", "--out", outDir.toString(),
			rgba.toString(), tiny.toString()), err());
		assertTrue(err().contains("rgba.png -> " + outDir.resolve("rgba.png")), err());
		assertTrue(err().contains("; alpha channel ignored: output has no transparency"), err());
		assertTrue(err().contains("tiny.png: failed: " + tiny + " is 20 x 10 = 200 pixels, more than the limit of 100"
			+ " pixels; raise it with --max-pixels N"), err());
		assertEquals(2, ij.IJ.openImage(outDir.resolve("rgba.png").toString()).getWidth());
		assertTrue(Files.notExists(outDir.resolve("tiny.png")));
	}

	private static String[] concat(String[]... parts) {
		return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
	}
}
