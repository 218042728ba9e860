package fiji.plugin.derain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code derain eval} on predictions a broken model or a careless user produces: NaN/Inf pixels, a colour image
 * against a gray reference, and identical images (PSNR inf).
 */
class EvalCommandTest {
	@TempDir
	Path tmp;

	private Path pred, ref;
	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	private int derain(String... args) {
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private String out() {
		return out.toString(StandardCharsets.UTF_8);
	}

	private String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	@BeforeEach
	void folders() throws Exception {
		pred = Files.createDirectories(tmp.resolve("pred"));
		ref = Files.createDirectories(tmp.resolve("ref"));
	}

	/** A 16×12 gray ramp (8-bit), plus {@code shift} gray levels. */
	private static ByteProcessor ramp(int shift) {
		ByteProcessor bp = new ByteProcessor(16, 12);
		for (int i = 0; i < 16 * 12; i++)
			bp.set(i, 20 + i + shift);
		return bp;
	}

	private static void png(ImageProcessor ip, Path file) {
		new FileSaver(new ImagePlus(file.getFileName().toString(), ip)).saveAsPng(file.toString());
	}

	/** A 32-bit prediction: the ramp / 255 with one pixel replaced by {@code value}. */
	private static void tiff(float value, Path file) {
		FloatProcessor fp = ramp(0).convertToFloatProcessor();
		fp.multiply(1 / 255.0);
		fp.setf(3, 2, value);
		new FileSaver(new ImagePlus(file.getFileName().toString(), fp)).saveAsTiff(file.toString());
	}

	@Test
	void nonFiniteAndColourMismatchedPredictionsFailTheirRowsAndTheExitCode() throws Exception {
		png(ramp(0), ref.resolve("good.png"));
		png(ramp(3), pred.resolve("good.png"));
		png(ramp(0), ref.resolve("inf.png"));
		tiff(Float.POSITIVE_INFINITY, pred.resolve("inf.tif"));
		png(ramp(0), ref.resolve("nan.png"));
		tiff(Float.NaN, pred.resolve("nan.tif"));
		png(ramp(0), ref.resolve("colour.png"));
		png(ramp(0).convertToRGB(), pred.resolve("colour.png"));
		Path csv = tmp.resolve("scores.csv");

		assertEquals(1, derain("eval", "--pred", pred.toString(), "--ref", ref.toString(), "--csv", csv.toString()));
		// 3 gray levels off everywhere: MSE (3/255)², PSNR 38.588 dB; the mean is over the scored image only
		assertTrue(out().contains("mean (1 images, standard): PSNR 38.588 dB, SSIM "), out());
		assertTrue(out().contains("; 3 image(s) could not be scored"), out());
		assertTrue(out().lines().anyMatch(l -> l.matches("inf\\.tif\\s+failed\\s+-")), out());
		assertTrue(err().contains("could not score inf.tif: prediction " + pred.resolve("inf.tif") + " holds 1 NaN/Inf"
			+ " pixel value (first at x=3, y=2): it cannot be scored; if it is a network's output, the model that made it"
			+ " is broken"), err());
		assertTrue(err().contains("could not score nan.tif: prediction " + pred.resolve("nan.tif") + " holds 1 NaN/Inf"),
			err());
		assertTrue(err().contains("could not score colour.png: prediction " + pred.resolve("colour.png") + " is colour"
			+ " (RGB) but reference " + ref.resolve("colour.png") + " is grayscale: convert one of them"), err());

		List<String> lines = Files.readAllLines(csv);
		assertEquals("file,psnr,ssim,error", lines.get(0));
		assertTrue(lines.get(1).startsWith("good.png,38.588"), lines.get(1));
		assertTrue(lines.get(1).endsWith(","), "no error: " + lines.get(1));
		assertTrue(lines.stream().anyMatch(l -> l.startsWith("inf.tif,,,\"prediction ")), lines.toString());
		assertTrue(lines.stream().noneMatch(l -> l.contains("Infinity") || l.contains("NaN,")), lines.toString());
		assertEquals(5, lines.size(), lines.toString());
	}

	@Test
	void identicalImagesScoreInfInTableAndCsvAndStayOutOfTheMeanPsnr() throws Exception {
		png(ramp(0), ref.resolve("same.png"));
		png(ramp(0), pred.resolve("same.png"));
		png(ramp(0), ref.resolve("off.png"));
		png(ramp(3), pred.resolve("off.png"));
		Path csv = tmp.resolve("scores.csv");

		assertEquals(0, derain("eval", "--pred", pred.toString(), "--ref", ref.toString(), "--csv", csv.toString()), err());
		assertTrue(out().lines().anyMatch(l -> l.matches("same\\.png\\s+inf\\s+1\\.0000")), out());
		assertTrue(out().contains("mean (2 images, standard): PSNR 38.588 dB (without the 1 identical pair of PSNR inf),"
			+ " SSIM "), out());
		assertTrue(Files.readAllLines(csv).contains("same.png,inf,1.000000,"), Files.readAllLines(csv).toString());
	}

	@Test
	void onlyIdenticalImagesHaveAMeanPsnrOfInf() throws Exception {
		png(ramp(0), ref.resolve("same.png"));
		png(ramp(0), pred.resolve("same.png"));
		assertEquals(0, derain("eval", "--pred", pred.toString(), "--ref", ref.toString()), err());
		assertTrue(out().contains("mean (1 images, standard): PSNR inf dB, SSIM 1.0000"), out());
	}

	@Test
	void aColourReferenceForAGrayPredictionIsRefusedToo() throws Exception {
		png(ramp(0).convertToRGB(), ref.resolve("a.png"));
		png(ramp(0), pred.resolve("a.png"));
		assertEquals(1, derain("eval", "--pred", pred.resolve("a.png").toString(), "--ref", ref.resolve("a.png").toString()));
		assertTrue(err().contains("prediction " + pred.resolve("a.png") + " is grayscale but reference " + ref.resolve("a.png")
			+ " is colour (RGB)"), err());
	}
}
