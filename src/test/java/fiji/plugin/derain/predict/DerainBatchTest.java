package fiji.plugin.derain.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.io.ImageFiles;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Derain files with the shipped default model: tiny images, formats that cannot hold the input, inputs never replaced. */
class DerainBatchTest {
	@TempDir
	Path tmp;

	private static Derainer derainer;

	@BeforeAll
	static void open() throws IOException {
		derainer = Derainer.open(ModelCatalog.resolve(ModelCatalog.DEFAULT), DeviceChoice.CPU, s -> {});
	}

	@AfterAll
	static void close() {
		derainer.close();
	}

	@Test
	void imagesDownToOnePixelDerain() {
		// the network reflection-pads by 1 at a quarter of the size: 4x4 and smaller failed inside the network
		Random r = new Random(4);
		for (int[] size : new int[][] { { 1, 1 }, { 2, 2 }, { 3, 5 }, { 4, 4 }, { 7, 1 } }) {
			ColorProcessor cp = new ColorProcessor(size[0], size[1]);
			for (int i = 0; i < size[0] * size[1]; i++) cp.set(i, r.nextInt(1 << 24));
			for (ImagePlus in : List.of(new ImagePlus("rgb", cp), new ImagePlus("gray", cp.convertToByteProcessor()))) {
				ImagePlus out = derainer.derain(in, Derainer.Settings.DEFAULT, (done, total) -> {}, () -> false);
				String what = in.getTitle() + " " + size[0] + "x" + size[1];
				assertEquals(size[0], out.getWidth(), what);
				assertEquals(size[1], out.getHeight(), what);
				assertEquals(in.getType(), out.getType(), what);
			}
		}
	}

	@Test
	void aStackForAOnePlaneFormatIsRefusedBeforeDeraining() throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in")).resolve("anim.tif");
		ImageStack stack = new ImageStack(8, 8);
		for (int i = 0; i < 3; i++) stack.addSlice(new ByteProcessor(8, 8));
		ImageFiles.write(new ImagePlus("anim", stack), in, ImageFiles.Format.TIFF, false);
		List<Long> tiles = new ArrayList<>();
		DerainBatch batch = new DerainBatch(derainer, Derainer.Settings.DEFAULT, tmp.resolve("out"), "png", false,
			(done, total) -> tiles.add(done), () -> false);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> batch.job().process(in, in.getFileName()));
		assertEquals(in + " has 3 images (frames or slices), which png cannot hold: choose the tiff output format"
			+ " (--format tiff, format=tiff in Fiji)", e.getMessage());
		assertEquals(List.of(), tiles, "nothing derained");
		assertTrue(Files.notExists(tmp.resolve("out/anim.png")));
	}

	@Test
	void anOutputNeverReplacesItsInput() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("photos")), in = dir.resolve("a.png");
		ImageFiles.write(new ImagePlus("a", new ColorProcessor(8, 8)), in, ImageFiles.Format.PNG, false);
		byte[] before = Files.readAllBytes(in);
		DerainBatch batch = new DerainBatch(derainer, Derainer.Settings.DEFAULT, dir, "auto", true,
			(done, total) -> {}, () -> false);
		IOException e = assertThrows(IOException.class, () -> batch.job().process(in, in.getFileName()));
		assertTrue(e.getMessage().contains("would replace the input file " + in), e.getMessage());
		assertArrayEquals(before, Files.readAllBytes(in));
	}
}
