package fiji.plugin.derain.cli;

import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.evaluate.Pairing;
import fiji.plugin.derain.metrics.Convention;
import fiji.plugin.derain.metrics.Score;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code derain eval --pred FILE_OR_DIR --ref FILE_OR_DIR [--convention standard|gtrain] [--csv FILE]}. */
final class EvalCommand implements Main.SubCommand {
	@Override
	public String name() {
		return "eval";
	}

	@Override
	public String usage() {
		return String.join("\n",
			"eval --pred FILE_OR_DIR --ref FILE_OR_DIR [--convention standard|gtrain] [--gtrain-scenes] [--csv FILE]",
			"  PSNR and SSIM of derained images against references, paired by file name (extension ignored).",
			"  --convention     standard (Wang et al. SSIM, default) or gtrain (scikit-image 0.19, as GT-RAIN reported)",
			"  --gtrain-scenes  --ref is a GT-RAIN split: each <scene>-Webcam-R-NNN is scored against its scene's C-000",
			"  --csv FILE       also write file,psnr,ssim,error rows (--overwrite to replace an existing CSV)",
			"  Identical images score PSNR inf (left out of the mean PSNR); images with NaN/Inf pixels or a gray image",
			"  against a colour one are not scored: their rows fail, and the exit code is then 1.");
	}

	@Override
	public int run(String[] argv, Console console) throws Exception {
		Args a = new Args(name(), argv, 1, Set.of("pred", "ref", "convention", "csv"), Set.of("gtrain-scenes", "overwrite"));
		if (!a.positional().isEmpty())
			throw new Args.UsageException(name() + ": unexpected argument " + a.positional().get(0) + " (use --pred/--ref)");
		Convention convention;
		try {
			convention = Convention.parse(a.string("convention", "standard"));
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": --convention: " + e.getMessage());
		}
		Path pred = a.path("pred"), ref = a.path("ref");
		List<Pairing.Pair> pairs = a.flag("gtrain-scenes") ? Pairing.gtrainScenes(pred, ref) : Pairing.byName(pred, ref);
		Evaluation.Result r = Evaluation.run(pairs, convention, (item, done, total) -> console.progress("scoring", done,
			total), () -> false);
		console.endProgress();
		printTable(r, console);
		if (a.has("csv")) Evaluation.writeCsv(r, a.path("csv"), a.flag("overwrite"));
		for (String p : r.problems())
			console.note("could not score " + p);
		return r.failures().isEmpty() && !r.rows().isEmpty() ? 0 : 1;
	}

	private static void printTable(Evaluation.Result r, Console console) {
		int width = Math.max(4, java.util.stream.Stream.concat(r.rows().stream().map(Evaluation.Row::file),
			r.failures().stream().map(Evaluation.Failure::file)).mapToInt(String::length).max().orElse(4));
		String fmt = "%-" + width + "s  %8s  %7s%n";
		console.out.printf(Locale.ROOT, fmt, "file", "psnr", "ssim");
		for (Evaluation.Row row : r.rows())
			console.out.printf(Locale.ROOT, fmt, row.file(), db(row.psnr()), String.format(Locale.ROOT, "%.4f", row.ssim()));
		for (Evaluation.Failure f : r.failures())
			console.out.printf(Locale.ROOT, fmt, f.file(), "failed", "-");
		Map<String, Score> scenes = r.sceneMeans();
		if (scenes.size() > 1 || !scenes.containsKey(""))
			scenes.forEach((scene, s) -> console.out.printf(Locale.ROOT, fmt, "scene " + scene, db(s.psnr()),
				String.format(Locale.ROOT, "%.4f", s.ssim())));
		Score m = r.mean();
		console.out.printf(Locale.ROOT, "mean (%d images, %s): PSNR %s dB%s, SSIM %.4f%s%n", r.rows().size(),
			r.convention().key(), db(m.psnr()), r.identicalNote(), m.ssim(),
			r.failures().isEmpty() ? "" : "; " + r.failures().size() + " image(s) could not be scored");
	}

	private static String db(double psnr) {
		return Evaluation.psnrText(psnr, "%.3f");
	}
}
