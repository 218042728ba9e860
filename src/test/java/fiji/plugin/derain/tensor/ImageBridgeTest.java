package fiji.plugin.derain.tensor;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.LUT;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageBridgeTest {
	private static final int W = 13, H = 7;

	@Test
	void eightBitHyperstackRoundTripsExactly() {
		ImagePlus imp = random(IJ.createHyperStack("gray8", W, H, 1, 2, 3, 8), 1);
		assertExactRoundTrip(imp);
	}

	@Test
	void sixteenBitRoundTripsExactly() {
		ImagePlus imp = random(IJ.createHyperStack("gray16", W, H, 1, 3, 1, 16), 2);
		assertExactRoundTrip(imp);
	}

	@Test
	void rgbRoundTripsExactly() {
		ImagePlus imp = random(IJ.createImage("rgb", "RGB black", W, H, 2), 3);
		assertExactRoundTrip(imp);
	}

	@Test
	void threeChannelCompositesRoundTripExactly() {
		assertExactRoundTrip(composite(8, 4));
		assertExactRoundTrip(composite(16, 5));
	}

	@Test
	void floatImageUsesItsOwnRangeAndRoundTrips() {
		ImagePlus imp = random(IJ.createImage("gray32", "32-bit black", W, H, 2), 6);
		float[] first = (float[]) imp.getStack().getPixels(1);
		first[0] = -3.5f;
		((float[]) imp.getStack().getPixels(2))[5] = 12.25f;
		Scaling scaling = Scaling.defaultFor(imp);
		assertEquals(new Scaling(-3.5, 12.25), scaling, "min..max over the whole stack");
		assertEquals(0f, ImageBridge.frame(imp, 1, 1, scaling).getAt(0, 0, 1).get());
		ImagePlus out = roundTrip(imp, scaling);
		for (int i = 1; i <= 2; i++)
			assertArrayEquals((float[]) imp.getStack().getPixels(i), (float[]) out.getStack().getPixels(i), 1e-5f);
	}

	@Test
	void unitValuesAreHandComputed() {
		ColorProcessor cp = new ColorProcessor(2, 1);
		cp.set(1, 0, 0xff102030);
		RandomAccessibleInterval<FloatType> rgb = ImageBridge.frame(new ImagePlus("c", cp), 1, 1, Scaling.BYTE);
		assertEquals(0x10 / 255f, rgb.getAt(1, 0, 0).get());
		assertEquals(0x20 / 255f, rgb.getAt(1, 0, 1).get());
		assertEquals(0x30 / 255f, rgb.getAt(1, 0, 2).get());
		ImagePlus gray = IJ.createImage("g", "16-bit black", 2, 1, 1);
		gray.getProcessor().set(0, 0, 1000);
		RandomAccessibleInterval<FloatType> g = ImageBridge.frame(gray, 1, 1, new Scaling(500, 2500));
		for (int c = 0; c < 3; c++) assertEquals(0.25f, g.getAt(0, 0, c).get(), "gray replicated to channel " + c);
	}

	@Test
	void framesAreViewsNotCopies() {
		ImagePlus imp = IJ.createHyperStack("gray8", W, H, 1, 2, 2, 8);
		RandomAccess<FloatType> access = ImageBridge.frame(imp, 2, 2, Scaling.BYTE).randomAccess();
		access.setPosition(new long[] { 4, 3, 0 });
		access.get().set(100f / 255);
		assertEquals(100, imp.getStack().getProcessor(imp.getStackIndex(1, 2, 2)).get(4, 3));
		assertEquals(0, imp.getStack().getProcessor(imp.getStackIndex(1, 1, 2)).get(4, 3), "other frames untouched");

		ImagePlus rgb = IJ.createImage("rgb", "RGB black", W, H, 1);
		access = ImageBridge.frame(rgb, 1, 1, Scaling.BYTE).randomAccess();
		access.setPosition(new long[] { 2, 1, 2 });
		access.get().set(1f);
		assertEquals(0xff0000ff, rgb.getProcessor().get(2, 1), "blue written into the int[] pixels, opaque");
	}

	@Test
	void grayscaleOutputIsTheMeanOfTheChannels() {
		ImagePlus out = ImageBridge.createOutput(IJ.createImage("g", "8-bit black", 2, 1, 1), null);
		Img<FloatType> rgb = ArrayImgs.floats(new float[] { 0.2f, 0.1f, 0.4f, 0.1f, 0.6f, 0.1f }, 2, 1, 3);
		ImageBridge.writeFrame(rgb, out, 1, 1, Scaling.BYTE);
		assertEquals(102, out.getProcessor().get(0, 0)); // round(0.4 * 255)
		assertEquals(26, out.getProcessor().get(1, 0)); // round(0.1 * 255) = round(25.5)
	}

	@Test
	void writingRoundsAndClampsToTheTypeRange() {
		ImagePlus out = IJ.createImage("g", "16-bit black", 3, 1, 1);
		Img<FloatType> gray = ArrayImgs.floats(new float[] { 1.2f, -0.1f, 0.5f, 1.2f, -0.1f, 0.5f, 1.2f, -0.1f, 0.5f }, 3, 1, 3);
		ImageBridge.writeFrame(gray, out, 1, 1, Scaling.SHORT);
		assertEquals(65535, out.getProcessor().get(0, 0));
		assertEquals(0, out.getProcessor().get(1, 0));
		assertEquals(32768, out.getProcessor().get(2, 0)); // 32767.5 rounds up
	}

	@Test
	void outputCarriesLayoutAndMetadata() {
		ImagePlus imp = IJ.createHyperStack("scene", W, H, 1, 2, 3, 16);
		Calibration cal = imp.getCalibration();
		cal.pixelWidth = 0.5;
		cal.pixelHeight = 0.25;
		cal.setUnit("mm");
		cal.frameInterval = 2;
		imp.setProperty("Info", "camera: roof");
		imp.setProp("site", "north");
		imp.getStack().setSliceLabel("first", 1);
		imp.setDisplayRange(100, 4000);
		ImagePlus out = ImageBridge.createOutput(imp, null);
		assertEquals("scene-derained", out.getTitle());
		assertEquals("custom", ImageBridge.createOutput(imp, "custom").getTitle());
		assertEquals(ImagePlus.GRAY16, out.getType());
		assertArrayEquals(imp.getDimensions(), out.getDimensions());
		assertTrue(out.isHyperStack());
		assertEquals(0.5, out.getCalibration().pixelWidth);
		assertEquals(0.25, out.getCalibration().pixelHeight);
		assertEquals("mm", out.getCalibration().getUnit());
		assertEquals(2, out.getCalibration().frameInterval);
		assertEquals("camera: roof", out.getInfoProperty());
		assertEquals("north", out.getProp("site"));
		assertEquals("first", out.getStack().getSliceLabel(1));
		assertEquals(100, out.getDisplayRangeMin());
		assertEquals(4000, out.getDisplayRangeMax());
	}

	@Test
	void compositeOutputKeepsModeLutsAndRanges() {
		CompositeImage imp = composite(16, 7);
		imp.setMode(IJ.COMPOSITE);
		LUT[] luts = { LUT.createLutFromColor(Color.magenta), LUT.createLutFromColor(Color.yellow), LUT.createLutFromColor(Color.cyan) };
		for (int c = 0; c < 3; c++) {
			luts[c].min = 10 * (c + 1);
			luts[c].max = 1000 * (c + 1);
		}
		imp.setLuts(luts);
		ImagePlus out = ImageBridge.createOutput(imp, null);
		assertTrue(out.isComposite());
		assertEquals(IJ.COMPOSITE, ((CompositeImage) out).getMode());
		LUT[] copied = out.getLuts();
		for (int c = 0; c < 3; c++) {
			assertArrayEquals(luts[c].getBytes(), copied[c].getBytes(), "LUT of channel " + (c + 1));
			assertEquals(10 * (c + 1), copied[c].min);
			assertEquals(1000 * (c + 1), copied[c].max);
		}
	}

	@Test
	void unsupportedImagesAreRejectedWithAReason() {
		ImagePlus two = IJ.createHyperStack("two", W, H, 2, 1, 1, 8);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageBridge.frame(two, 1, 1, Scaling.BYTE));
		assertTrue(e.getMessage().contains("'two' has 2 channels"), e.getMessage());
		ImagePlus one = IJ.createImage("one", "8-bit black", W, H, 2);
		e = assertThrows(IllegalArgumentException.class, () -> ImageBridge.frame(one, 3, 1, Scaling.BYTE));
		assertTrue(e.getMessage().contains("z=3"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> new Scaling(5, 5));
	}

	@Test
	void rgbBuffersAreArraysUntilTooLarge() {
		assertTrue(ImageBridge.createRgbBuffer(W, H) instanceof net.imglib2.img.array.ArrayImg);
		assertTrue(ImageBridge.fitsOneArray(26_000, 27_000)); // 2.1e9 floats
		assertTrue(!ImageBridge.fitsOneArray(40_000, 20_000), "an RGB buffer of 2.4e9 floats needs cells");
	}

	/** Reads every frame as [0, 1] RGB, copies it, writes it into a fresh output: pixels must come back unchanged. */
	private static void assertExactRoundTrip(ImagePlus imp) {
		ImagePlus out = roundTrip(imp, Scaling.defaultFor(imp));
		ImageStack a = imp.getStack(), b = out.getStack();
		for (int i = 1; i <= a.getSize(); i++)
			for (int y = 0; y < H; y++)
				for (int x = 0; x < W; x++)
					assertEquals(a.getProcessor(i).get(x, y), b.getProcessor(i).get(x, y), imp.getTitle() + " slice " + i);
	}

	private static ImagePlus roundTrip(ImagePlus imp, Scaling scaling) {
		ImagePlus out = ImageBridge.createOutput(imp, null);
		for (int t = 1; t <= imp.getNFrames(); t++) {
			for (int z = 1; z <= imp.getNSlices(); z++) {
				Img<FloatType> copy = ArrayImgs.floats(imp.getWidth(), imp.getHeight(), 3);
				LoopBuilder.setImages(ImageBridge.frame(imp, z, t, scaling), copy).forEachPixel((s, d) -> d.set(s));
				ImageBridge.writeFrame(copy, out, z, t, scaling);
			}
		}
		return out;
	}

	private static CompositeImage composite(int bitDepth, long seed) {
		ImagePlus imp = random(IJ.createHyperStack("composite" + bitDepth, W, H, 3, 2, 1, bitDepth), seed);
		return imp instanceof CompositeImage ? (CompositeImage) imp : new CompositeImage(imp, IJ.COMPOSITE);
	}

	private static ImagePlus random(ImagePlus imp, long seed) {
		Random random = new Random(seed);
		ImageStack stack = imp.getStack();
		for (int i = 1; i <= stack.getSize(); i++) {
			Object pixels = stack.getPixels(i);
			if (pixels instanceof byte[] b) random.nextBytes(b);
			else if (pixels instanceof short[] s) for (int k = 0; k < s.length; k++) s[k] = (short) random.nextInt(65536);
			else if (pixels instanceof int[] rgb) for (int k = 0; k < rgb.length; k++) rgb[k] = 0xff000000 | random.nextInt(1 << 24);
			else if (pixels instanceof float[] f) for (int k = 0; k < f.length; k++) f[k] = random.nextFloat() * 7 - 2;
		}
		return imp;
	}
}
