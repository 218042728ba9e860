package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
	@TempDir
	Path tmp;

	@Test
	void rgbPngRoundTripsExactly() throws IOException {
		ColorProcessor cp = new ColorProcessor(13, 7);
		Random r = new Random(1);
		int[] px = (int[]) cp.getPixels();
		for (int i = 0; i < px.length; i++)
			px[i] = r.nextInt(1 << 24);
		Path f = tmp.resolve("a.png");
		ImageFiles.write(new ImagePlus("a", cp), f, ImageFiles.Format.PNG, false);
		ImagePlus back = ImageFiles.read(f);
		assertEquals(ImagePlus.COLOR_RGB, back.getType());
		int[] got = (int[]) back.getProcessor().getPixels();
		for (int i = 0; i < px.length; i++)
			assertEquals(px[i] & 0xffffff, got[i] & 0xffffff, "pixel " + i);
	}

	@Test
	void sixteenBitStackRoundTripsAsTiff() throws IOException {
		ImageStack s = new ImageStack(5, 4);
		for (int z = 0; z < 3; z++) {
			short[] p = new short[20];
			for (int i = 0; i < 20; i++)
				p[i] = (short) (1000 * z + 3000 * i);
			s.addSlice(new ShortProcessor(5, 4, p, null));
		}
		Path f = tmp.resolve("s.tif");
		ImageFiles.write(new ImagePlus("s", s), f, ImageFiles.Format.TIFF, false);
		ImagePlus back = ImageFiles.read(f);
		assertEquals(3, back.getStackSize());
		assertArrayEquals((short[]) s.getPixels(3), (short[]) back.getStack().getPixels(3));
	}

	@Test
	void existingFilesAreKeptUnlessOverwriteIsAsked() throws IOException {
		Path f = tmp.resolve("keep.png");
		Files.writeString(f, "precious");
		ImagePlus imp = new ImagePlus("x", new ColorProcessor(4, 4));
		FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
			() -> ImageFiles.write(imp, f, ImageFiles.Format.PNG, false));
		assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
		assertEquals("precious", Files.readString(f));
		ImageFiles.write(imp, f, ImageFiles.Format.PNG, true);
		assertEquals(4, ImageFiles.read(f).getWidth());
		try (var l = Files.list(tmp)) {
			assertEquals(1, l.count(), "no temporary files left behind");
		}
	}

	@Test
	void unreadableFilesAreNamed() throws IOException {
		Path bad = tmp.resolve("broken.png");
		Files.writeString(bad, "this is not a png");
		IOException e = assertThrows(IOException.class, () -> ImageFiles.read(bad));
		assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
		assertThrows(NoSuchFileException.class, () -> ImageFiles.read(tmp.resolve("missing.jpg")));
	}
}
