package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.testutil.ConsoleCapture;
import fiji.plugin.derain.testutil.Fixtures;
import fiji.plugin.derain.testutil.PngBytes;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading odd and broken image files: right pixels or one line naming the file, nothing printed by ImageJ. */
class ImageReadingTest {
	@TempDir
	Path tmp;

	private static final ImageFiles.PixelBudget BUDGET = new ImageFiles.PixelBudget(1_000_000, "--max-pixels N");

	@Test
	void paletteImagesBecomeRgbOfTheirPaletteColours() throws Exception {
		// a palette not sorted by brightness: index i is a random colour
		int[] palette = new int[256];
		Random r = new Random(5);
		for (int i = 0; i < palette.length; i++) palette[i] = r.nextInt(1 << 24);
		Path f = write("palette.png", PngBytes.png(9, 7, PngBytes.PALETTE, 8, palette, (x, y, c) -> x * 29 + y * 3));
		ImagePlus imp = ImageFiles.read(f);
		assertEquals(ImagePlus.COLOR_RGB, imp.getType());
		for (int y = 0; y < 7; y++)
			for (int x = 0; x < 9; x++)
				assertEquals(palette[x * 29 + y * 3], imp.getProcessor().get(x, y) & 0xffffff, "pixel " + x + "," + y);
	}

	@Test
	void grayFilesStayGrayWithTheirIntensities() throws Exception {
		// 2-bit gray: ImageJ opens raw values 0..3 with a 4-entry LUT; the network must see 0, 85, 170, 255
		Path two = write("gray2.png", PngBytes.png(8, 2, PngBytes.GRAY, 2, null, (x, y, c) -> x % 4));
		ImagePlus imp = ImageFiles.read(two);
		assertEquals(ImagePlus.GRAY8, imp.getType());
		assertEquals(List.of(0, 85, 170, 255), List.of(imp.getProcessor().get(0, 0), imp.getProcessor().get(1, 0),
			imp.getProcessor().get(2, 0), imp.getProcessor().get(3, 0)));
		// a gray palette in scrambled order is gray too, by the palette's values
		int[] grays = new int[256];
		for (int i = 0; i < 256; i++) grays[i] = (255 - i) * 0x010101;
		Path scrambled = write("gray-palette.png", PngBytes.png(8, 2, PngBytes.PALETTE, 8, grays, (x, y, c) -> x * 30));
		imp = ImageFiles.read(scrambled);
		assertEquals(ImagePlus.GRAY8, imp.getType());
		assertEquals(255 - 30, imp.getProcessor().get(1, 0));
		// plain 8-bit gray is untouched
		Path plain = write("gray8.png", PngBytes.png(8, 2, PngBytes.GRAY, 8, null, (x, y, c) -> x * 31 + y));
		imp = ImageFiles.read(plain);
		assertEquals(ImagePlus.GRAY8, imp.getType());
		assertEquals(3 * 31 + 1, imp.getProcessor().get(3, 1));
		assertTrue(imp.getProcessor().isDefaultLut());
	}

	@Test
	void droppedAlphaIsNoted() throws Exception {
		Path rgba = write("rgba.png", PngBytes.png(4, 4, PngBytes.RGBA, 8, null, (x, y, c) -> c == 3 ? x * 60 : 100));
		assertEquals(List.of(ImageFiles.ALPHA_NOTE), ImageFiles.load(rgba, BUDGET).notes());
		Path rgb = write("rgb.png", PngBytes.png(4, 4, PngBytes.RGB, 8, null, (x, y, c) -> 100));
		assertEquals(List.of(), ImageFiles.load(rgb, BUDGET).notes());
	}

	@Test
	void hugeDimensionsAreRefusedFromTheHeader() throws Exception {
		// 25000 x 25000 in a file of a few hundred bytes: refused before decoding, naming the option
		Path f = write("bomb.png", PngBytes.forgedSize(25000, 25000));
		assertTrue(Files.size(f) < 10_000);
		IOException e = failure(() -> ImageFiles.load(f, new ImageFiles.PixelBudget(100_000_000, "--max-pixels N")));
		assertEquals(f + " is 25000 x 25000 = 625000000 pixels, more than the limit of 100000000 pixels; raise it with"
			+ " --max-pixels N", e.getMessage());
		// the default budget names the system property
		e = failure(() -> ImageFiles.read(f));
		assertTrue(e.getMessage().contains("-D" + ImageFiles.MAX_PIXELS_PROPERTY + "=N"), e.getMessage());
	}

	@Test
	void damagedFilesAreOneLineAndImageJPrintsNothing() throws Exception {
		byte[] jpeg = rgbJpeg(tmp.resolve("good.jpg"));
		Path truncated = write("truncated.jpg", java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
		Path png = write("truncated.png", java.util.Arrays.copyOf(
			PngBytes.png(16, 16, PngBytes.RGB, 8, null, (x, y, c) -> x * y + c), 60));
		for (Path f : List.of(truncated, png)) {
			ConsoleCapture.Result result = ConsoleCapture.run(() -> ImageFiles.load(f, BUDGET));
			assertEquals("", result.printed(), f + ": printed by the readers");
			assertInstanceOf(IOException.class, result.thrown());
			String m = result.thrown().getMessage();
			assertTrue(m.startsWith(f + " is damaged or incomplete"), m);
			assertFalse(m.contains("CMYK"), m);
			assertEquals(1, m.lines().count(), m);
		}
	}

	@Test
	void cmykJpegIsReadAsRgb() throws Exception {
		// tools/make_image_fixtures.py: C = 16x, M = 20y, Y = xy mod 256, K = 30 (ImageJ's own reader cannot open it)
		Path f = Fixtures.path("images/cmyk.jpg");
		ConsoleCapture.Result result = ConsoleCapture.run(() -> {
			ImagePlus imp = ImageFiles.load(f, BUDGET).image();
			assertEquals(ImagePlus.COLOR_RGB, imp.getType());
			assertEquals(16, imp.getWidth());
			assertEquals(12, imp.getHeight());
			// no cyan, magenta or yellow ink at (0, 0): a light gray; more cyan to the right: less red
			int c00 = imp.getProcessor().get(0, 0), c150 = imp.getProcessor().get(15, 0);
			int r00 = c00 >> 16 & 0xff, g00 = c00 >> 8 & 0xff, b00 = c00 & 0xff;
			assertTrue(Math.abs(r00 - g00) < 12 && Math.abs(g00 - b00) < 12 && r00 > 180, Integer.toHexString(c00));
			assertTrue((c150 >> 16 & 0xff) < r00 - 60, Integer.toHexString(c150));
		});
		assertEquals("", result.printed());
		assertNull(result.thrown());
	}

	private Path write(String name, byte[] bytes) throws IOException {
		return Files.write(tmp.resolve(name), bytes);
	}

	private static byte[] rgbJpeg(Path f) throws IOException {
		ColorProcessor cp = new ColorProcessor(32, 24);
		Random r = new Random(2);
		for (int i = 0; i < 32 * 24; i++) cp.set(i, r.nextInt(1 << 24));
		new FileSaver(new ImagePlus("g", cp)).saveAsJpeg(f.toString());
		return Files.readAllBytes(f);
	}

	private static IOException failure(org.junit.jupiter.api.function.Executable e) {
		return org.junit.jupiter.api.Assertions.assertThrows(IOException.class, e);
	}
}
