package fiji.plugin.derain.synth;

import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.tensor.ImageBridge;
import fiji.plugin.derain.tensor.Scaling;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import java.nio.file.Path;
import java.util.List;
/**
 * Makes rainy/clean training pairs from clean photos: for {@code <name>.<ext>} it writes
 * {@code OUT/rainy/<name>.png}, {@code OUT/clean/<name>.png} (the photo, resized if asked) and
 * {@code OUT/layers/<name>.png} (the 8-bit rain layer), each atomically. The rain of each file is seeded with
 * {@code seed} and the file name, so a resumed or repeated batch gives the same pairs.
 */
public final class SynthesizeBatch {
	public static final String RAINY = "rainy", CLEAN = "clean", LAYERS = "layers";

	private final Path outputDir;
	private final RainParams params;
	private final boolean scaleWithSize;
	private final int maxSize;
	private final boolean overwrite;

	/**
	 * @param params rain parameters; its seed is combined with each file name
	 * @param scaleWithSize scale streak sizes and density from the 1024-px reference to each image's width
	 * @param maxSize downscale images whose longer side exceeds this (0 = keep the size)
	 */
	public SynthesizeBatch(Path outputDir, RainParams params, boolean scaleWithSize, int maxSize, boolean overwrite) {
		if (maxSize < 0) throw new IllegalArgumentException("max size must be 0 (keep) or a positive number of pixels");
		this.outputDir = outputDir;
		this.params = params;
		this.scaleWithSize = scaleWithSize;
		this.maxSize = maxSize;
		this.overwrite = overwrite;
	}

	public FolderBatch.Outputs outputs() {
		return rel -> List.of(out(RAINY, rel), out(CLEAN, rel), out(LAYERS, rel));
	}

	private Path out(String kind, Path rel) {
		Path dir = outputDir.resolve(kind);
		Path parent = rel.isAbsolute() ? null : rel.getParent();
		return (parent == null ? dir : dir.resolve(parent)).resolve(FileNames.baseName(rel) + ".png");
	}

	public FolderBatch.Job job() {
		return (input, rel) -> {
			ImagePlus clean = resized(ImageFiles.read(input));
			if (clean.getStackSize() != 1 && !clean.isComposite())
				throw new IllegalArgumentException(input + " is a stack; synthesize rain on single images");
			RainResult r = synthesize(clean, params.withSeed(params.seed() ^ FileNames.baseName(rel).hashCode()));
			ImagePlus rainy = ImageBridge.createOutput(clean, FileNames.baseName(rel));
			ImageBridge.writeFrame(r.rainyImg(), rainy, 1, 1, Scaling.defaultFor(clean));
			ImageFiles.write(clean, out(CLEAN, rel), ImageFiles.Format.PNG, overwrite);
			ImageFiles.write(layerImage(r), out(LAYERS, rel), ImageFiles.Format.PNG, overwrite);
			ImageFiles.write(rainy, out(RAINY, rel), ImageFiles.Format.PNG, overwrite);
		};
	}

	/** Rain on one image (any type ImageJ holds; gray stays gray in the output of the caller). */
	public RainResult synthesize(ImagePlus clean, RainParams p) {
		RainParams scaled = scaleWithSize ? p.scaledForWidth(clean.getWidth()) : p;
		return RainSynthesizer.apply(ImageBridge.toPlanarRgb(clean, 1, 1), clean.getWidth(), clean.getHeight(), 3, scaled);
	}

	private ImagePlus resized(ImagePlus imp) {
		int longer = Math.max(imp.getWidth(), imp.getHeight());
		if (maxSize == 0 || longer <= maxSize) return imp;
		double f = (double) maxSize / longer;
		ImageProcessor ip = imp.getProcessor();
		ip.setInterpolationMethod(ImageProcessor.BILINEAR);
		ImagePlus out = new ImagePlus(imp.getTitle(), ip.resize((int) Math.round(imp.getWidth() * f),
			(int) Math.round(imp.getHeight() * f), true));
		out.setCalibration(imp.getCalibration());
		return out;
	}

	private static ImagePlus layerImage(RainResult r) {
		ByteProcessor bp = new ByteProcessor(r.width(), r.height());
		byte[] px = (byte[]) bp.getPixels();
		for (int i = 0; i < px.length; i++)
			px[i] = (byte) Math.round(Math.min(1f, Math.max(0f, r.layer()[i])) * 255);
		return new ImagePlus("rain layer", bp);
	}
}
