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
			"  --csv FILE       also write file,psnr,ssim rows (--overwrite to replace an existing CSV)");
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
		return r.problems().isEmpty() && !r.rows().isEmpty() ? 0 : 1;
	}

	private static void printTable(Evaluation.Result r, Console console) {
		int width = Math.max(4, r.rows().stream().mapToInt(x -> x.file().length()).max().orElse(4));
		String fmt = "%-" + width + "s  %8s  %7s%n";
		console.out.printf(Locale.ROOT, fmt, "file", "psnr", "ssim");
		for (Evaluation.Row row : r.rows())
			console.out.printf(Locale.ROOT, fmt, row.file(), db(row.psnr()), String.format(Locale.ROOT, "%.4f", row.ssim()));
		Map<String, Score> scenes = r.sceneMeans();
		if (scenes.size() > 1 || !scenes.containsKey(""))
			scenes.forEach((scene, s) -> console.out.printf(Locale.ROOT, fmt, "scene " + scene, db(s.psnr()),
				String.format(Locale.ROOT, "%.4f", s.ssim())));
		Score m = r.mean();
		console.out.printf(Locale.ROOT, "mean (%d images, %s): PSNR %s dB, SSIM %.4f%n", r.rows().size(),
			r.convention().key(), db(m.psnr()), m.ssim());
	}

	private static String db(double psnr) {
		return Double.isInfinite(psnr) ? "inf" : String.format(Locale.ROOT, "%.3f", psnr);
	}
}
