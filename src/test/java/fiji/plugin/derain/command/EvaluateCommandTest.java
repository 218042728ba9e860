package fiji.plugin.derain.command;

import static fiji.plugin.derain.command.DerainFolderCommandTest.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ImageFiles;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/**
 * Evaluate PSNR/SSIM through CommandService on flat grey images, whose scores are known in closed form: for
 * values a and b in [0, 1], PSNR = −20·log10|a − b| and SSIM = (2ab + C1) / (a² + b² + C1) (no variance, so the
 * contrast-structure term is 1), with C1 = (0.01·L)², L = 1 (standard) or 2 (gtrain).
 */
class EvaluateCommandTest {
	@TempDir
	Path tmp;
	Context context;

	@BeforeEach
	void createContext() {
		context = new Context(CommandService.class, LogService.class);
	}

	@AfterEach
	void disposeContext() {
		context.dispose();
	}

	static double psnr(int a, int b) {
		return -20 * Math.log10(Math.abs(a - b) / 255.0);
	}

	static double ssim(int a, int b, double range) {
		double x = a / 255.0, y = b / 255.0, c1 = Math.pow(0.01 * range, 2);
		return (2 * x * y + c1) / (x * x + y * y + c1);
	}

	private Path flat(Path file, int value) throws IOException {
		ByteProcessor bp = new ByteProcessor(40, 32);
		bp.setValue(value);
		bp.fill();
		Files.createDirectories(file.getParent());
		ImageFiles.write(new ImagePlus(file.getFileName().toString(), bp), file, ImageFiles.Format.PNG, false);
		return file;
	}

	private ResultsTable evaluate(Object... inputs) throws Throwable {
		return (ResultsTable) CommandFixtures.run(context, EvaluateCommand.class, inputs).get("scores");
	}

	@Test
	void imageAgainstImageInBothConventions() throws Throwable {
		Path pred = flat(tmp.resolve("pred.png"), 100), ref = flat(tmp.resolve("ref.png"), 110);
		ResultsTable t = evaluate("prediction", pred.toFile(), "reference", ref.toFile(), "convention", "standard");
		assertEquals(List.of("pred.png", "mean"), column(t, "file"));
		assertEquals(psnr(100, 110), t.getValue("psnr", 0), 1e-4);
		assertEquals(ssim(100, 110, 1), t.getValue("ssim", 0), 1e-6);
		ResultsTable g = evaluate("prediction", pred.toFile(), "reference", ref.toFile(), "mode", "images", "convention",
			"gtrain");
		assertEquals(ssim(100, 110, 2), g.getValue("ssim", 0), 1e-6);
		assertEquals(psnr(100, 110), g.getValue("psnr", 1), 1e-4);
	}

	@Test
	void foldersMatchedByNameWithMeanAndCsv() throws Throwable {
		flat(tmp.resolve("pred/x.png"), 100);
		flat(tmp.resolve("pred/y.png"), 50);
		flat(tmp.resolve("ref/x.png"), 110);
		flat(tmp.resolve("ref/y.png"), 55);
		Path csv = tmp.resolve("scores.csv");
		ResultsTable t = evaluate("prediction", tmp.resolve("pred").toFile(), "reference", tmp.resolve("ref").toFile(),
			"csv", csv.toFile());
		assertEquals(List.of("x.png", "y.png", "mean"), column(t, "file"));
		assertEquals((psnr(100, 110) + psnr(50, 55)) / 2, t.getValue("psnr", 2), 1e-4);
		assertEquals((ssim(100, 110, 1) + ssim(50, 55, 1)) / 2, t.getValue("ssim", 2), 1e-6);
		List<String> lines = Files.readAllLines(csv);
		assertEquals("file,psnr,ssim,error", lines.get(0));
		assertEquals(3, lines.size());
		assertEquals(psnr(50, 55), Double.parseDouble(lines.get(2).split(",")[1]), 1e-5);

		DerainImageCommandTest.assertMessage("Evaluate PSNR/SSIM: csv: " + csv + " exists; choose another file or tick"
			+ " overwrite", () -> evaluate("prediction", tmp.resolve("pred").toFile(), "reference",
				tmp.resolve("ref").toFile(), "csv", csv.toFile()));
		evaluate("prediction", tmp.resolve("pred").toFile(), "reference", tmp.resolve("ref").toFile(), "csv",
			csv.toFile(), "overwrite", true);
	}

	@Test
	void pairsThatCannotBeScoredAreRowsWithTheirReason() throws Throwable {
		flat(tmp.resolve("pred/x.png"), 100);
		flat(tmp.resolve("ref/x.png"), 110);
		flat(tmp.resolve("ref/y.png"), 55);
		Path colour = tmp.resolve("pred/y.png");
		ImageFiles.write(new ImagePlus("y.png", new ij.process.ColorProcessor(40, 32)), colour, ImageFiles.Format.PNG,
			false);
		ResultsTable t = evaluate("prediction", tmp.resolve("pred").toFile(), "reference", tmp.resolve("ref").toFile());
		assertEquals(List.of("x.png", "y.png", "mean"), column(t, "file"));
		assertTrue(Double.isNaN(t.getValue("psnr", 1)), "no score for the failed pair");
		assertTrue(t.getStringValue("error", 1).contains("y.png"), t.getStringValue("error", 1));
		assertEquals(psnr(100, 110), t.getValue("psnr", 2), 1e-4, "the mean is over the scored pair only");
	}

	@Test
	void gtrainScenesAreFoundAndAveragedPerScene() throws Throwable {
		Path split = tmp.resolve("test"), pred = tmp.resolve("derained");
		flat(split.resolve("S1/S1-Webcam-C-000.png"), 120);
		flat(split.resolve("S1/S1-Webcam-R-000.png"), 0);
		flat(split.resolve("S1/S1-Webcam-R-001.png"), 0);
		flat(split.resolve("S2/S2-Webcam-C-000.png"), 60);
		flat(split.resolve("S2/S2-Webcam-R-000.png"), 0);
		flat(pred.resolve("S1-Webcam-R-000.png"), 110);
		flat(pred.resolve("S1-Webcam-R-001.png"), 100);
		flat(pred.resolve("S2/S2-Webcam-R-000.png"), 62);
		ResultsTable t = evaluate("prediction", pred.toFile(), "reference", split.toFile(), "convention", "gtrain");
		assertEquals(List.of("S1-Webcam-R-000.png", "S1-Webcam-R-001.png", "S2-Webcam-R-000.png", "mean S1", "mean S2",
			"mean"), column(t, "file"));
		assertEquals(List.of("S1", "S1", "S2", "S1", "S2", ""), column(t, "scene"));
		double s1 = (psnr(110, 120) + psnr(100, 120)) / 2;
		assertEquals(s1, t.getValue("psnr", 3), 1e-4);
		assertEquals(psnr(62, 60), t.getValue("psnr", 4), 1e-4);
		assertEquals((psnr(110, 120) + psnr(100, 120) + psnr(62, 60)) / 3, t.getValue("psnr", 5), 1e-4);
		assertEquals(ssim(62, 60, 2), t.getValue("ssim", 2), 1e-6);
	}

	@Test
	void badParametersAreNamed() throws Throwable {
		Path pred = flat(tmp.resolve("pred.png"), 100);
		DerainImageCommandTest.assertMessage("Evaluate PSNR/SSIM: unknown metrics convention 'psnr'; use one of:"
			+ " standard, gtrain", () -> evaluate("prediction", pred.toFile(), "reference", pred.toFile(), "convention",
				"psnr"));
		DerainImageCommandTest.assertMessage("Evaluate PSNR/SSIM: not found: " + tmp.resolve("nothing.png")
			+ " (reference is neither a file, a folder nor an open image)", () -> evaluate("prediction", pred.toFile(),
				"reference", tmp.resolve("nothing.png").toFile()));
		DerainImageCommandTest.assertMessage("Evaluate PSNR/SSIM: mode=folders needs two folders; got " + pred + " and "
			+ pred, () -> evaluate("prediction", pred.toFile(), "reference", pred.toFile(), "mode", "folders"));
	}
}
