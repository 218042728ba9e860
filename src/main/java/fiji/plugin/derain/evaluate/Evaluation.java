package fiji.plugin.derain.evaluate;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.io.AtomicFiles;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.metrics.Convention;
import fiji.plugin.derain.metrics.Metrics;
import fiji.plugin.derain.metrics.Score;
import fiji.plugin.derain.tensor.ImageBridge;
import fiji.plugin.derain.tensor.Scaling;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Scores derained images against references, file by file: PSNR and SSIM in either {@link Convention}.
 * Pixel values are mapped to [0, 1] with {@link Scaling#defaultFor} (8-bit and RGB /255, 16-bit /65535);
 * grayscale is compared as gray. Under {@link Convention#GTRAIN} both images are first cropped (top-left) to
 * multiples of 4, as GT-RAIN's evaluation did. Stacks are scored frame by frame (one row per frame).
 * <p>
 * Refused, as a failed row with the reason: a prediction or reference holding NaN or infinite values (32-bit
 * images; a broken model's output would otherwise score as {@code inf} or turn the mean into NaN), and a
 * grayscale image against a colour one (no silent conversion). Identical images have an infinite PSNR, shown as
 * {@code inf} in tables and CSV files and left out of the mean PSNR (their number is reported with it).
 */
public final class Evaluation {
	private Evaluation() {}

	/** One score; {@code scene} groups rows for per-scene means ("" when there are no scenes). */
	public record Row(String file, String scene, double psnr, double ssim) {}

	/** A pair that could not be scored, and why (one line). */
	public record Failure(String file, String scene, String reason) {}

	/** All rows plus the pairs that could not be scored. */
	public record Result(Convention convention, List<Row> rows, List<Failure> failures) {
		public Result {
			rows = List.copyOf(rows);
			failures = List.copyOf(failures);
		}

		/** "file: reason" per failed pair. */
		public List<String> problems() {
			return failures.stream().map(f -> f.file() + ": " + f.reason()).toList();
		}

		/**
		 * Means over the scored rows; the PSNR mean over the rows of finite PSNR only ({@code inf} when every pair is
		 * identical), see {@link #identical()}.
		 */
		public Score mean() {
			return meanOf(rows);
		}

		/** Scored rows whose images are identical (infinite PSNR), left out of the PSNR means. */
		public long identical() {
			return rows.stream().filter(r -> Double.isInfinite(r.psnr())).count();
		}

		/** What to say after the mean PSNR: " (without the N identical pairs of PSNR inf)", or "" when none was left out. */
		public String identicalNote() {
			long n = identical();
			return n == 0 || n == rows.size() ? ""
				: " (without the " + n + " identical pair" + (n == 1 ? "" : "s") + " of PSNR inf)";
		}

		/** Mean per scene, in order of first appearance. */
		public Map<String, Score> sceneMeans() {
			Map<String, List<Row>> by = new LinkedHashMap<>();
			for (Row r : rows)
				by.computeIfAbsent(r.scene(), k -> new ArrayList<>()).add(r);
			Map<String, Score> out = new LinkedHashMap<>();
			by.forEach((k, v) -> out.put(k, meanOf(v)));
			return out;
		}
	}

	/** Scores a prediction against a reference image of the same size (and stack size). */
	public static List<Score> score(ImagePlus pred, ImagePlus ref, Convention convention) {
		if (pred.getWidth() != ref.getWidth() || pred.getHeight() != ref.getHeight())
			throw new IllegalArgumentException(pred.getTitle() + " is " + pred.getWidth() + "×" + pred.getHeight()
				+ " but its reference " + ref.getTitle() + " is " + ref.getWidth() + "×" + ref.getHeight());
		int frames = pred.getNFrames() * pred.getNSlices();
		if (frames != ref.getNFrames() * ref.getNSlices())
			throw new IllegalArgumentException(pred.getTitle() + " has " + frames + " frames but its reference has "
				+ ref.getNFrames() * ref.getNSlices());
		if (ImageBridge.isGrayscale(pred) != ImageBridge.isGrayscale(ref))
			throw new IllegalArgumentException("prediction " + pred.getTitle() + " is " + colours(pred) + " but reference "
				+ ref.getTitle() + " is " + colours(ref) + ": convert one of them (Image > Type) so that both are gray or"
				+ " both are colour");
		requireFinite(pred, "prediction");
		requireFinite(ref, "reference");
		Scaling sp = Scaling.defaultFor(pred), sr = Scaling.defaultFor(ref);
		boolean gray = ImageBridge.isGrayscale(pred);
		List<Score> scores = new ArrayList<>();
		for (int t = 1; t <= pred.getNFrames(); t++)
			for (int z = 1; z <= pred.getNSlices(); z++)
				scores.add(Metrics.score(view(pred, z, t, sp, gray, convention), view(ref, z, t, sr, gray, convention),
					convention));
		return scores;
	}

	private static String colours(ImagePlus imp) {
		return ImageBridge.isGrayscale(imp) ? "grayscale" : "colour (RGB)";
	}

	/** Only 32-bit images can hold NaN or infinite values. */
	private static void requireFinite(ImagePlus imp, String role) {
		if (imp.getBitDepth() != 32) return;
		long bad = 0;
		int first = -1, firstSlice = 0;
		for (int i = 1; i <= imp.getStackSize(); i++) {
			float[] pixels = (float[]) imp.getStack().getPixels(i);
			for (int k = 0; k < pixels.length; k++)
				if (!Float.isFinite(pixels[k])) {
					if (bad++ == 0) {
						first = k;
						firstSlice = i;
					}
				}
		}
		if (bad > 0)
			throw new IllegalArgumentException(String.format(Locale.ROOT, "%s %s holds %d NaN/Inf pixel value%s (first"
				+ " at x=%d, y=%d%s): it cannot be scored; if it is a network's output, the model that made it is broken",
				role, imp.getTitle(), bad, bad == 1 ? "" : "s", first % imp.getWidth(), first / imp.getWidth(),
				imp.getStackSize() > 1 ? ", slice " + firstSlice : ""));
	}

	/** The [0,1] XYC view (one channel for gray pairs), cropped to multiples of 4 for GT-RAIN. */
	private static RandomAccessibleInterval<FloatType> view(ImagePlus imp, int z, int t, Scaling s, boolean gray,
		Convention c) {
		RandomAccessibleInterval<FloatType> v = ImageBridge.frame(imp, z, t, s);
		long w = v.dimension(0), h = v.dimension(1);
		if (c == Convention.GTRAIN) {
			w -= w % 4;
			h -= h % 4;
		}
		return Views.interval(v, new long[] {0, 0, 0}, new long[] {w - 1, h - 1, gray ? 0 : 2});
	}

	/**
	 * Scores each pair; a pair that cannot be read or compared is recorded in {@link Result#problems()} and
	 * the evaluation goes on.
	 *
	 * @param progress told (done, total) after each pair
	 */
	public static Result run(List<Pairing.Pair> pairs, Convention convention, FolderBatch.Listener progress,
		BooleanSupplier cancelled) {
		List<Row> rows = new ArrayList<>();
		List<Failure> failures = new ArrayList<>();
		for (int i = 0; i < pairs.size(); i++) {
			if (cancelled.getAsBoolean()) throw new CancellationException("evaluation cancelled after " + i + " pairs");
			Pairing.Pair p = pairs.get(i);
			try {
				List<Score> s = score(read(p.prediction()), read(p.reference()), convention);
				for (int f = 0; f < s.size(); f++)
					rows.add(new Row(p.name() + (s.size() > 1 ? " [" + (f + 1) + "]" : ""), p.scene(), s.get(f).psnr(),
						s.get(f).ssim()));
			} catch (IOException | RuntimeException e) {
				failures.add(new Failure(p.name(), p.scene(), UserMessages.describe(e)));
			}
			progress.itemFinished(null, i + 1, pairs.size());
		}
		return new Result(convention, rows, failures);
	}

	/** The image titled by its path, so that messages name the file. */
	private static ImagePlus read(Path file) throws IOException {
		ImagePlus imp = ImageFiles.read(file);
		imp.setTitle(file.toString());
		return imp;
	}

	/**
	 * CSV with columns {@code file,psnr,ssim,error} (plus {@code scene} after {@code file} when the rows have
	 * scenes), atomically: one row per scored image ({@code error} empty; an infinite PSNR is written {@code inf}),
	 * then one per image that could not be scored (psnr and ssim empty, the reason in {@code error}).
	 */
	public static void writeCsv(Result result, Path csv, boolean overwrite) throws IOException {
		boolean scenes = result.rows().stream().anyMatch(r -> !r.scene().isEmpty())
			|| result.failures().stream().anyMatch(f -> !f.scene().isEmpty());
		StringBuilder b = new StringBuilder(scenes ? "file,scene,psnr,ssim,error\n" : "file,psnr,ssim,error\n");
		for (Row r : result.rows())
			b.append(FolderBatch.csvField(r.file())).append(',').append(scenes ? FolderBatch.csvField(r.scene()) + "," : "")
				.append(psnrText(r.psnr(), "%.6f")).append(String.format(Locale.ROOT, ",%.6f,%n", r.ssim()));
		for (Failure f : result.failures())
			b.append(FolderBatch.csvField(f.file())).append(',').append(scenes ? FolderBatch.csvField(f.scene()) + "," : "")
				.append(",,").append(FolderBatch.csvField(f.reason())).append('\n');
		byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
		AtomicFiles.write(csv, overwrite, out -> out.write(bytes));
	}

	/** A PSNR as text: {@code inf} for identical images (tables and CSV alike), else {@code format}. */
	public static String psnrText(double psnr, String format) {
		return psnr == Double.POSITIVE_INFINITY ? "inf" : String.format(Locale.ROOT, format, psnr);
	}

	private static Score meanOf(List<Row> rows) {
		double p = 0, s = 0;
		int finite = 0;
		for (Row r : rows) {
			if (Double.isFinite(r.psnr())) {
				p += r.psnr();
				finite++;
			}
			s += r.ssim();
		}
		if (rows.isEmpty()) return new Score(Double.NaN, Double.NaN);
		return new Score(finite == 0 ? Double.POSITIVE_INFINITY : p / finite, s / rows.size());
	}
}
