package fiji.plugin.derain.tensor;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.Sampler;
import net.imglib2.converter.Converters;
import net.imglib2.converter.readwrite.SamplerConverter;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.ByteAccess;
import net.imglib2.img.basictypeaccess.FloatAccess;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Bridge between ImageJ 1.x images and the XYC views the network code works on.
 * <p>
 * Supported images: 8-bit, 16-bit and 32-bit grayscale with one channel, RGB ({@code ColorProcessor}) with one
 * channel, and 8/16/32-bit images with exactly three channels (composites; channel 1, 2, 3 = R, G, B). Stacks and
 * hyperstacks are handled one frame at a time; a frame is addressed by ImageJ's 1-based slice {@code z} and time
 * point {@code t} (the order of {@link ImagePlus#getStackIndex(int, int, int)}). An 8-bit image is treated by its
 * raw values; {@link #withDisplayedColours} first turns indexed-colour (palette) images into RGB.
 * <p>
 * Frames are views on the image's own pixel arrays (no copy): reading them reads the {@code ImagePlus}, writing them
 * writes it. They stay valid as long as the image keeps its pixel arrays. (A virtual stack hands out a fresh copy of
 * a slice on every request: its frames read correctly, but writes to them are lost; {@link #createOutput} always
 * makes an ordinary stack.)
 */
public final class ImageBridge {
	private ImageBridge() {}

	/** Suffix of the default output title. */
	public static final String TITLE_SUFFIX = "-derained";

	/**
	 * Throws an {@link IllegalArgumentException} naming the image and what to do if it cannot be derained.
	 */
	public static void checkSupported(ImagePlus imp) {
		if (imp == null) throw new IllegalArgumentException("no image given");
		int channels = imp.getNChannels();
		if (imp.getType() == ImagePlus.COLOR_RGB) {
			if (channels != 1)
				throw new IllegalArgumentException("image '" + imp.getTitle() + "' is RGB with " + channels
					+ " channels; split the channels or use an RGB image with one channel");
		} else if (channels != 1 && channels != 3) {
			throw new IllegalArgumentException("image '" + imp.getTitle() + "' has " + channels
				+ " channels; derain needs a grayscale image (1 channel), an RGB image or a 3-channel (R, G, B) composite");
		}
	}

	/**
	 * The image as its pixels look, for 8-bit single-channel images whose raw values are not intensities: an RGB
	 * copy for an indexed-colour image (a palette PNG or GIF: its raw values are indices into an arbitrary palette),
	 * an 8-bit copy with the LUT applied and the plain gray LUT for a gray LUT other than ImageJ's ramp (a gray
	 * palette in any order, 1-, 2- and 4-bit gray files). Returns {@code imp} itself for every other image,
	 * including 8-bit images with the plain gray ramp or a smooth colour map such as "Fire" (intensities shown in
	 * colour). The base LUT decides, not the display range.
	 */
	public static ImagePlus withDisplayedColours(ImagePlus imp) {
		if (imp == null || imp.getBitDepth() != 8 || imp.getNChannels() != 1 || imp.isComposite()) return imp;
		if (!(imp.getProcessor().getColorModel() instanceof IndexColorModel lut)) return imp;
		int[] argb = argbTable(lut);
		boolean gray = true, ramp = true;
		for (int i = 0; i < 256; i++) {
			int r = argb[i] >> 16 & 0xff, g = argb[i] >> 8 & 0xff, b = argb[i] & 0xff;
			gray &= r == g && g == b;
			ramp &= r == i && g == i && b == i;
		}
		if (ramp || !gray && isSmoothColourMap(lut)) return imp;
		ImageStack in = imp.getStack();
		ImageStack stack = new ImageStack(imp.getWidth(), imp.getHeight());
		for (int i = 1; i <= in.getSize(); i++) {
			byte[] raw = (byte[]) in.getPixels(i);
			stack.addSlice(in.getSliceLabel(i), gray ? grayThrough(raw, argb, imp.getWidth(), imp.getHeight())
				: colourThrough(raw, argb, imp.getWidth(), imp.getHeight()));
		}
		ImagePlus out = imp.createImagePlus();
		out.setStack(imp.getTitle(), stack);
		out.setDimensions(1, imp.getNSlices(), imp.getNFrames());
		out.setOpenAsHyperStack(imp.isHyperStack());
		copyProperties(imp, out);
		return out;
	}

	/** The LUT as 256 packed RGB entries; indices beyond a short palette show its last colour. */
	private static int[] argbTable(IndexColorModel lut) {
		int n = lut.getMapSize();
		int[] table = new int[256];
		for (int i = 0; i < 256; i++) table[i] = n == 0 ? 0 : lut.getRGB(Math.min(i, n - 1)) & 0xffffff;
		return table;
	}

	/** ImageJ's own test for a LUT that shows intensities in colour (no jumps between neighbouring entries). */
	private static boolean isSmoothColourMap(IndexColorModel lut) {
		ImageProcessor probe = new ByteProcessor(1, 1);
		probe.setColorModel(lut);
		return probe.isPseudoColorLut();
	}

	private static ImageProcessor grayThrough(byte[] raw, int[] argb, int w, int h) {
		byte[] px = new byte[raw.length];
		for (int i = 0; i < raw.length; i++) px[i] = (byte) argb[raw[i] & 0xff];
		return new ByteProcessor(w, h, px);
	}

	private static ImageProcessor colourThrough(byte[] raw, int[] argb, int w, int h) {
		int[] px = new int[raw.length];
		for (int i = 0; i < raw.length; i++) px[i] = 0xff000000 | argb[raw[i] & 0xff];
		return new ColorProcessor(w, h, px);
	}

	/** True if the network's three output channels are averaged back into one grayscale channel. */
	public static boolean isGrayscale(ImagePlus imp) {
		return imp.getType() != ImagePlus.COLOR_RGB && imp.getNChannels() == 1;
	}

	/**
	 * The channels of one frame as raw-valued views on the pixel arrays, in order R, G, B (RGB images and
	 * 3-channel images) or the single gray channel. Each view is XY, zero-min, writable, no copy.
	 */
	public static List<RandomAccessibleInterval<? extends RealType<?>>> rawChannels(ImagePlus imp, int z, int t) {
		checkSupported(imp);
		checkFrame(imp, z, t);
		List<RandomAccessibleInterval<? extends RealType<?>>> channels = new ArrayList<>();
		ImageStack stack = imp.getStack();
		if (imp.getType() == ImagePlus.COLOR_RGB) {
			RandomAccessibleInterval<ARGBType> argb = ArrayImgs.argbs(
				(int[]) stack.getPixels(imp.getStackIndex(1, z, t)), imp.getWidth(), imp.getHeight());
			for (int shift : new int[] { 16, 8, 0 }) channels.add(Converters.convert(argb, new ArgbChannel(shift)));
			return channels;
		}
		for (int c = 1; c <= imp.getNChannels(); c++)
			channels.add(wrap(stack.getProcessor(imp.getStackIndex(c, z, t))));
		return channels;
	}

	/**
	 * One frame as an RGB view in [0, 1]: dimensions (width, height, 3), zero-min, axis order X, Y, C with C = R, G, B.
	 * Grayscale images appear as the same channel three times. The view is writable: a value written is mapped back
	 * with {@code scaling}, rounded and clamped to the pixel type's range for integer types, and stored in the
	 * image's pixel array (for grayscale all three channels are the one pixel).
	 */
	public static RandomAccessibleInterval<FloatType> frame(ImagePlus imp, int z, int t, Scaling scaling) {
		List<RandomAccessibleInterval<FloatType>> unit = new ArrayList<>();
		for (RandomAccessibleInterval<? extends RealType<?>> raw : rawChannels(imp, z, t))
			unit.add(toUnit(raw, scaling));
		if (unit.size() == 1) return Views.stack(unit.get(0), unit.get(0), unit.get(0));
		return Views.stack(unit);
	}

	/**
	 * One frame copied into a planar RGB array in [0, 1] ({@code [c][y][x]}, C = R, G, B; gray replicated),
	 * mapped with {@link Scaling#defaultFor}. For code that wants plain arrays (training, synthesis).
	 */
	public static float[] toPlanarRgb(ImagePlus imp, int z, int t) {
		RandomAccessibleInterval<FloatType> v = frame(imp, z, t, Scaling.defaultFor(imp));
		float[] out = new float[Math.toIntExact(3L * imp.getWidth() * imp.getHeight())];
		int i = 0;
		for (FloatType f : Views.flatIterable(v)) out[i++] = f.get();
		return out;
	}

	/**
	 * A new image of the same type, size and stack layout (channels, slices, frames, hyperstack flag), all
	 * pixels zero, carrying over calibration, the "Info" and other properties, slice labels, display range and,
	 * for composites, the mode and per-channel LUTs with their display ranges.
	 *
	 * @param title the new title, or {@code null} for {@code "<title>-derained"}
	 */
	public static ImagePlus createOutput(ImagePlus imp, String title) {
		checkSupported(imp);
		ImageStack in = imp.getStack();
		ImageStack stack = new ImageStack(imp.getWidth(), imp.getHeight());
		for (int i = 1; i <= in.getSize(); i++)
			stack.addSlice(in.getSliceLabel(i), in.getProcessor(i).createProcessor(imp.getWidth(), imp.getHeight()));
		ImagePlus out = new ImagePlus(title != null ? title : imp.getTitle() + TITLE_SUFFIX, stack);
		out.setDimensions(imp.getNChannels(), imp.getNSlices(), imp.getNFrames());
		out.setOpenAsHyperStack(imp.isHyperStack());
		out.setCalibration(imp.getCalibration());
		copyProperties(imp, out);
		if (imp.isComposite()) {
			CompositeImage composite = new CompositeImage(out, ((CompositeImage) imp).getMode());
			composite.setLuts(imp.getLuts());
			return composite;
		}
		if (imp.getType() != ImagePlus.COLOR_RGB) out.setDisplayRange(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
		return out;
	}

	/**
	 * Writes one frame of {@code out} from an RGB image in [0, 1] (dimensions (width, height, 3), any min, axis order
	 * X, Y, C). Grayscale images receive the mean of the three channels. Values are mapped with {@code scaling},
	 * rounded and clamped to the type's range for 8-bit, 16-bit and RGB.
	 */
	public static void writeFrame(RandomAccessibleInterval<? extends RealType<?>> rgb, ImagePlus out, int z, int t,
		Scaling scaling) {
		checkSupported(out);
		checkRgbInterval(rgb, out.getWidth(), out.getHeight(), "frame to write into '" + out.getTitle() + "'");
		RandomAccessibleInterval<? extends RealType<?>> zeroMin = Views.zeroMin(rgb);
		List<RandomAccessibleInterval<FloatType>> target = new ArrayList<>();
		for (RandomAccessibleInterval<? extends RealType<?>> raw : rawChannels(out, z, t)) target.add(toUnit(raw, scaling));
		if (target.size() == 1) {
			LoopBuilder.setImages(channel(zeroMin, 0), channel(zeroMin, 1), channel(zeroMin, 2), target.get(0))
				.forEachPixel((r, g, b, d) -> d.setReal((r.getRealDouble() + g.getRealDouble() + b.getRealDouble()) / 3));
		} else {
			for (int c = 0; c < 3; c++)
				LoopBuilder.setImages(channel(zeroMin, c), target.get(c)).forEachPixel((s, d) -> d.setReal(s.getRealDouble()));
		}
	}

	/**
	 * A zeroed float RGB image (width, height, 3) to receive a network result before {@link #writeFrame}: an
	 * {@code ArrayImg} when it fits one Java array, else a {@code CellImg} of 512 × 512 × 3 cells.
	 */
	public static Img<FloatType> createRgbBuffer(long width, long height) {
		if (fitsOneArray(width, height)) return ArrayImgs.floats(width, height, 3);
		return new CellImgFactory<>(new FloatType(), 512, 512, 3).create(width, height, 3);
	}

	static boolean fitsOneArray(long width, long height) {
		return width * height <= (Integer.MAX_VALUE - 8) / 3;
	}

	/** Checks that {@code rgb} is (width, height, 3); {@code what} names it in the message. */
	static void checkRgbInterval(RandomAccessibleInterval<?> rgb, long width, long height, String what) {
		if (rgb.numDimensions() != 3 || rgb.dimension(0) != width || rgb.dimension(1) != height || rgb.dimension(2) != 3)
			throw new IllegalArgumentException(what + " must be X, Y, C = " + width + " x " + height + " x 3, got "
				+ java.util.Arrays.toString(rgb.dimensionsAsLongArray()));
	}

	private static RandomAccessibleInterval<? extends RealType<?>> channel(RandomAccessibleInterval<? extends RealType<?>> xyc, int c) {
		return Views.hyperSlice(xyc, 2, c);
	}

	private static void checkFrame(ImagePlus imp, int z, int t) {
		if (z < 1 || z > imp.getNSlices() || t < 1 || t > imp.getNFrames())
			throw new IllegalArgumentException("image '" + imp.getTitle() + "' has " + imp.getNSlices() + " slices and "
				+ imp.getNFrames() + " frames; slice z=" + z + ", frame t=" + t + " does not exist (both count from 1)");
	}

	/** The processor's pixel array as an XY view of its raw values (no copy). */
	private static RandomAccessibleInterval<? extends RealType<?>> wrap(ImageProcessor ip) {
		int w = ip.getWidth(), h = ip.getHeight();
		Object pixels = ip.getPixels();
		if (pixels instanceof byte[]) return ArrayImgs.unsignedBytes((byte[]) pixels, w, h);
		if (pixels instanceof short[]) return ArrayImgs.unsignedShorts((short[]) pixels, w, h);
		if (pixels instanceof float[]) return ArrayImgs.floats((float[]) pixels, w, h);
		throw new IllegalArgumentException("unsupported pixel array " + pixels.getClass().getSimpleName());
	}

	private static void copyProperties(ImagePlus from, ImagePlus to) {
		Properties legacy = from.getProperties(); // "Info", "Label", ... (may be null)
		if (legacy != null) legacy.forEach((k, v) -> to.setProperty((String) k, v));
		String[] props = from.getPropertiesAsArray(); // setProp/getProp key-value pairs
		if (props != null) to.setProperties(props);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static RandomAccessibleInterval<FloatType> toUnit(RandomAccessibleInterval<? extends RealType<?>> raw,
		Scaling scaling) {
		return Converters.convert((RandomAccessibleInterval) raw, new UnitConverter(scaling));
	}

	/**
	 * Presents a raw-valued pixel as a writable {@link FloatType} in unit range. Writing rounds (integer types) and
	 * clamps to the type's range, so a round trip of an 8-bit, 16-bit or RGB value with its default scaling is exact.
	 */
	private static final class UnitConverter<R extends RealType<R>> implements SamplerConverter<R, FloatType> {
		private final Scaling scaling;

		UnitConverter(Scaling scaling) {
			this.scaling = scaling;
		}

		@Override
		public FloatType convert(Sampler<? extends R> sampler) {
			return new FloatType(new FloatAccess() {
				@Override
				public float getValue(int index) {
					return (float) scaling.toUnit(sampler.get().getRealDouble());
				}

				@Override
				public void setValue(int index, float unit) {
					R pixel = sampler.get();
					pixel.setReal(toRaw(pixel, scaling.fromUnit(unit)));
				}
			});
		}
	}

	/**
	 * One 8-bit channel of packed ARGB pixels as a writable {@link UnsignedByteType}; writing makes the pixel opaque.
	 * (ImgLib2 8.0.0's
	 * {@code Converters.argbChannel} sign-extends values of 128 and more when writing, which overwrites the other
	 * channels.)
	 */
	private static final class ArgbChannel implements SamplerConverter<ARGBType, UnsignedByteType> {
		private final int shift;

		ArgbChannel(int shift) {
			this.shift = shift;
		}

		@Override
		public UnsignedByteType convert(Sampler<? extends ARGBType> sampler) {
			return new UnsignedByteType(new ByteAccess() {
				@Override
				public byte getValue(int index) {
					return (byte) (sampler.get().get() >> shift);
				}

				@Override
				public void setValue(int index, byte value) {
					ARGBType pixel = sampler.get();
					// opaque, as ImageJ's ColorProcessor.putPixel writes it
					pixel.set(pixel.get() & ~(0xff << shift) | (value & 0xff) << shift | 0xff000000);
				}
			});
		}
	}

	/** Rounds (integer types) and clamps {@code raw} to what {@code type} can hold. */
	static double toRaw(RealType<?> type, double raw) {
		if (!(type instanceof IntegerType)) return raw;
		double rounded = Math.floor(raw + 0.5);
		return Math.max(type.getMinValue(), Math.min(type.getMaxValue(), rounded));
	}
}
