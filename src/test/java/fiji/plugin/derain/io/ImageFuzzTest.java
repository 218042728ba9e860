package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.cli.Main;
import fiji.plugin.derain.testutil.ConsoleCapture;
import fiji.plugin.derain.testutil.Fixtures;
import fiji.plugin.derain.testutil.PngBytes;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing the image path of {@code bin/derain run} (read, derain with the shipped model, write): every PNG colour
 * type and bit depth, JPEGs (baseline, progressive, gray, CMYK), GIFs (one and several frames), BMP, TIFFs (RGB,
 * 16-bit, multi-page), then truncations, byte flips and forged headers of them. Each file ends in a correct result
 * (an output of the input's size) or one line naming it, never a stack trace, a message of ImageJ's own, a hang or a
 * file outside the output folder.
 */
class ImageFuzzTest {
	@TempDir
	Path tmp;

	/** Valid files and the size their output must have (null: must fail with the given message part). */
	private final Map<String, int[]> valid = new LinkedHashMap<>();
	private final Map<String, String> mustFail = new HashMap<>();

	@Test
	void everyImageEndsInAResultOrOneLine() throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
		writeValidFiles(in);
		writeMutants(in);
		List<Path> inputs;
		try (Stream<Path> s = Files.list(in)) {
			inputs = s.sorted().toList();
		}
		Map<Path, byte[]> before = new HashMap<>();
		for (Path p : inputs) before.put(p, Files.readAllBytes(p));
		warmUp();

		ByteArrayOutputStream err = new ByteArrayOutputStream();
		List<String> args = new ArrayList<>(List.of("run", "--device", "cpu", "--tile", "64", "--out", out.toString()));
		inputs.forEach(p -> args.add(p.toString()));
		ConsoleCapture.Result run = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> ConsoleCapture.run(
			() -> Main.run(args.toArray(String[]::new), new PrintStream(OutputStream.nullOutputStream()),
				new PrintStream(err, true, StandardCharsets.UTF_8))));
		String log = err.toString(StandardCharsets.UTF_8);
		assertEquals("", run.printed(), "printed by the readers or writers themselves");
		assertEquals(null, run.thrown());
		assertFalse(log.contains("Exception") || log.contains("\tat ") || log.contains("Error:"), log);

		for (Path p : inputs) {
			String name = p.getFileName().toString(), base = FileNames.baseName(p);
			List<String> lines = log.lines().filter(l -> l.startsWith(name + " -> ") || l.startsWith(name + ": ")).toList();
			assertEquals(1, lines.size(), name + ": " + log);
			String line = lines.get(0);
			Path output = out.resolve(base + (name.endsWith(".tif") ? ".tif" : ".png"));
			if (line.startsWith(name + " -> ")) {
				assertFalse(mustFail.containsKey(name), name + " should have failed: " + line);
				ImagePlus result = IJ.openImage(output.toString());
				assertTrue(result != null, name + ": no readable output");
				int[] size = valid.get(name);
				if (size != null) {
					assertEquals(size[0], result.getWidth(), name);
					assertEquals(size[1], result.getHeight(), name);
					assertEquals(size[2], result.getStackSize(), name);
				}
			} else {
				assertTrue(line.startsWith(name + ": failed: "), line);
				assertFalse(valid.containsKey(name), name + " should have been derained: " + line);
				assertTrue(line.contains(p.toString()), "the message names the file: " + line);
				assertTrue(Files.notExists(output), name);
				String expected = mustFail.get(name);
				if (expected != null) assertTrue(line.contains(expected), line);
			}
		}
		// nothing outside the output folder, nothing but outputs in it (no partial files), inputs untouched
		try (Stream<Path> s = Files.list(in)) {
			assertEquals(inputs, s.sorted().toList());
		}
		for (Path p : inputs) assertTrue(Arrays.equals(before.get(p), Files.readAllBytes(p)), p + " changed");
		try (Stream<Path> s = Files.list(out)) {
			s.forEach(p -> assertFalse(p.getFileName().toString().startsWith("."), "left over: " + p));
		}
		try (Stream<Path> s = Files.list(tmp)) {
			assertEquals(List.of(in, out), s.sorted().toList());
		}
	}

	/** Loads the engine once outside the capture (DJL's and SLF4J's start-up notes are not the readers'). */
	private void warmUp() throws IOException {
		Path dir = Files.createDirectories(tmp.resolve("warm")), f = dir.resolve("w.png");
		new FileSaver(new ImagePlus("w", new ColorProcessor(16, 16))).saveAsPng(f.toString());
		Main.run(new String[] { "run", "--device", "cpu", "--out", tmp.resolve("warm-out").toString(), f.toString() },
			new PrintStream(OutputStream.nullOutputStream()), new PrintStream(OutputStream.nullOutputStream()));
		for (Path p : new Path[] { f, tmp.resolve("warm-out/w.png"), dir, tmp.resolve("warm-out") }) Files.delete(p);
	}

	private void writeValidFiles(Path dir) throws IOException {
		int w = 11, h = 7;
		Random r = new Random(12);
		int[] palette = new int[256];
		for (int i = 0; i < 256; i++) palette[i] = r.nextInt(1 << 24);
		for (int depth : new int[] { 1, 2, 4, 8, 16 })
			png(dir, "gray" + depth, w, h, PngBytes.GRAY, depth, null);
		for (int depth : new int[] { 1, 2, 4, 8 })
			png(dir, "palette" + depth, w, h, PngBytes.PALETTE, depth, Arrays.copyOf(palette, 1 << depth));
		for (int depth : new int[] { 8, 16 }) {
			png(dir, "rgb" + depth, w, h, PngBytes.RGB, depth, null);
			png(dir, "grayalpha" + depth, w, h, PngBytes.GRAY_ALPHA, depth, null);
			png(dir, "rgba" + depth, w, h, PngBytes.RGBA, depth, null);
		}
		// ImageJ opens 16-bit colour PNGs as 3-channel 16-bit images, which its PNG writer cannot write
		valid.remove("rgb16.png");
		mustFail.put("rgb16.png", "has 3 channels of 16 bits, which png cannot hold: choose the tiff output format");
		ColorProcessor cp = new ColorProcessor(w, h);
		for (int i = 0; i < w * h; i++) cp.set(i, r.nextInt(1 << 24));
		jpeg(dir.resolve("baseline.jpg"), toBuffered(cp), false);
		jpeg(dir.resolve("progressive.jpg"), toBuffered(cp), true);
		jpeg(dir.resolve("grayjpeg.jpg"), cp.convertToByteProcessor().getBufferedImage(), false);
		valid("baseline.jpg", w, h, 1);
		valid("progressive.jpg", w, h, 1);
		valid("grayjpeg.jpg", w, h, 1);
		Files.copy(Fixtures.path("images/cmyk.jpg"), dir.resolve("cmyk.jpg"));
		valid("cmyk.jpg", 16, 12, 1);
		ImageIO.write(toBuffered(cp), "bmp", dir.resolve("picture.bmp").toFile());
		valid("picture.bmp", w, h, 1);
		ImageIO.write(cp.convertToByteProcessor().getBufferedImage(), "gif", dir.resolve("still.gif").toFile());
		valid("still.gif", w, h, 1);
		ImageStack frames = new ImageStack(w, h);
		for (int i = 0; i < 3; i++) frames.addSlice(cp.convertToByteProcessor().duplicate());
		new FileSaver(new ImagePlus("anim", frames)).saveAsGif(dir.resolve("anim.gif").toString());
		mustFail.put("anim.gif", "has 3 images (frames or slices), which png cannot hold");
		new FileSaver(new ImagePlus("rgbtiff", cp)).saveAsTiff(dir.resolve("rgbtiff.tif").toString());
		valid("rgbtiff.tif", w, h, 1);
		ShortProcessor sp = new ShortProcessor(w, h);
		for (int i = 0; i < w * h; i++) sp.set(i, r.nextInt(65536));
		new FileSaver(new ImagePlus("short", sp)).saveAsTiff(dir.resolve("short.tif").toString());
		valid("short.tif", w, h, 1);
		ImageStack pages = new ImageStack(w, h);
		for (int i = 0; i < 3; i++) pages.addSlice(cp.convertToByteProcessor().duplicate());
		new FileSaver(new ImagePlus("pages", pages)).saveAsTiffStack(dir.resolve("pages.tif").toString());
		valid("pages.tif", w, h, 3);
		Files.write(dir.resolve("bomb.png"), PngBytes.forgedSize(30000, 30000));
		mustFail.put("bomb.png", "more than the limit of 100000000 pixels; raise it with --max-pixels N");
		Files.writeString(dir.resolve("text.png"), "this is not an image\n");
		mustFail.put("text.png", "not a PNG, JPEG, TIFF, BMP or GIF file");
		Files.write(dir.resolve("empty.jpg"), new byte[0]);
		mustFail.put("empty.jpg", "");
		byte[] zeroSize = PngBytes.png(4, 4, PngBytes.GRAY, 8, null, (x, y, c) -> 7);
		zeroSize[16] = zeroSize[17] = zeroSize[18] = zeroSize[19] = 0; // IHDR width 0 (CRC now wrong too)
		Files.write(dir.resolve("zerowidth.png"), zeroSize);
		mustFail.put("zerowidth.png", "damaged");
	}

	/** Truncations and byte flips of every valid file. */
	private void writeMutants(Path dir) throws IOException {
		Random r = new Random(99);
		for (String name : new ArrayList<>(valid.keySet())) {
			byte[] bytes = Files.readAllBytes(dir.resolve(name));
			String base = name.substring(0, name.lastIndexOf('.')), ext = name.substring(name.lastIndexOf('.'));
			for (double f : new double[] { 0.1, 0.6, 0.95 })
				Files.write(dir.resolve(base + "-cut" + (int) (f * 100) + ext), Arrays.copyOf(bytes, (int) (bytes.length * f)));
			for (int k = 0; k < 2; k++) {
				byte[] flipped = bytes.clone();
				for (int n = 0; n < 4; n++) flipped[8 + r.nextInt(flipped.length - 8)] ^= (byte) (1 + r.nextInt(255));
				Files.write(dir.resolve(base + "-flip" + k + ext), flipped);
			}
		}
	}

	private void png(Path dir, String base, int w, int h, int type, int depth, int[] palette) throws IOException {
		Random r = new Random(base.hashCode());
		Files.write(dir.resolve(base + ".png"), PngBytes.png(w, h, type, depth, palette, (x, y, c) -> r.nextInt(1 << 16)));
		valid(base + ".png", w, h, 1);
	}

	private void valid(String name, int w, int h, int planes) {
		valid.put(name, new int[] { w, h, planes });
	}

	private static BufferedImage toBuffered(ColorProcessor cp) {
		BufferedImage bi = new BufferedImage(cp.getWidth(), cp.getHeight(), BufferedImage.TYPE_INT_RGB);
		bi.setRGB(0, 0, cp.getWidth(), cp.getHeight(), (int[]) cp.getPixels(), 0, cp.getWidth());
		return bi;
	}

	private static void jpeg(Path f, BufferedImage image, boolean progressive) throws IOException {
		ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
		ImageWriteParam param = writer.getDefaultWriteParam();
		if (progressive) param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
		try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
			writer.setOutput(out);
			writer.write(null, new IIOImage(image, null, null), param);
		} finally {
			writer.dispose();
		}
	}
}
