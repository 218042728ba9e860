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
 */
public final class Evaluation {
	private Evaluation() {}

	/** One score; {@code scene} groups rows for per-scene means ("" when there are no scenes). */
	public record Row(String file, String scene, double psnr, double ssim) {}

	/** All rows plus the pairs that could not be scored (with the reason). */
	public record Result(Convention convention, List<Row> rows, List<String> problems) {
		public Score mean() {
			return meanOf(rows);
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
		Scaling sp = Scaling.defaultFor(pred), sr = Scaling.defaultFor(ref);
		boolean gray = ImageBridge.isGrayscale(pred) && ImageBridge.isGrayscale(ref);
		List<Score> scores = new ArrayList<>();
		for (int t = 1; t <= pred.getNFrames(); t++)
			for (int z = 1; z <= pred.getNSlices(); z++)
				scores.add(Metrics.score(view(pred, z, t, sp, gray, convention), view(ref, z, t, sr, gray, convention),
					convention));
		return scores;
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
		List<String> problems = new ArrayList<>();
		for (int i = 0; i < pairs.size(); i++) {
			if (cancelled.getAsBoolean()) throw new CancellationException("evaluation cancelled after " + i + " pairs");
			Pairing.Pair p = pairs.get(i);
			try {
				List<Score> s = score(ImageFiles.read(p.prediction()), ImageFiles.read(p.reference()), convention);
				for (int f = 0; f < s.size(); f++)
					rows.add(new Row(p.name() + (s.size() > 1 ? " [" + (f + 1) + "]" : ""), p.scene(), s.get(f).psnr(),
						s.get(f).ssim()));
			} catch (IOException | RuntimeException e) {
				problems.add(p.name() + ": " + UserMessages.describe(e));
			}
			progress.itemFinished(null, i + 1, pairs.size());
		}
		return new Result(convention, rows, problems);
	}

	/** CSV with columns {@code file,psnr,ssim} (plus {@code scene} when the rows have scenes), atomically. */
	public static void writeCsv(Result result, Path csv, boolean overwrite) throws IOException {
		boolean scenes = result.rows().stream().anyMatch(r -> !r.scene().isEmpty());
		StringBuilder b = new StringBuilder(scenes ? "file,scene,psnr,ssim\n" : "file,psnr,ssim\n");
		for (Row r : result.rows())
			b.append(FolderBatch.csvField(r.file())).append(',')
				.append(scenes ? FolderBatch.csvField(r.scene()) + "," : "")
				.append(String.format(Locale.ROOT, "%.6f,%.6f%n", r.psnr(), r.ssim()));
		byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
		AtomicFiles.write(csv, overwrite, out -> out.write(bytes));
	}

	private static Score meanOf(List<Row> rows) {
		double p = 0, s = 0;
		for (Row r : rows) {
			p += r.psnr();
			s += r.ssim();
		}
		return rows.isEmpty() ? new Score(Double.NaN, Double.NaN) : new Score(p / rows.size(), s / rows.size());
	}
}
