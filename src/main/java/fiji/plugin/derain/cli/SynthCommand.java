package fiji.plugin.derain.cli;

import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.synth.RainParams;
import fiji.plugin.derain.synth.SynthesizeBatch;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code derain synth --clean DIR --out DIR [--preset P] [rain options]}. */
final class SynthCommand implements Main.SubCommand {
	@Override
	public String name() {
		return "synth";
	}

	@Override
	public String usage() {
		return String.join("\n", "synth --clean DIR --out DIR [--preset light|medium|heavy|storm] [options]",
			"  Synthesizes rain on clean photos: OUT/rainy/<name>.png, OUT/clean/<name>.png, OUT/layers/<name>.png",
			"  (pairs for 'derain train --rainy OUT/rainy --clean OUT/clean'). Existing outputs are skipped.",
			"  --preset P            starting values (default medium); the options below override them",
			"  --density N           streaks per megapixel      --length PX      mean streak length",
			"  --angle DEG           from vertical, + = falls to the right      --width PX   streak width",
			"  --brightness B        streak intensity in [0,1] --motion-blur PX  --defocus SIGMA",
			"  --transmission T      veil I = J*t + A*(1-t) (1 = no veil)       --atmospheric-light A",
			"  --seed N              reproducible rain (combined with each file name; default 0)",
			"  --absolute-size       sizes are pixels of each image (default: scaled from a 1024-px-wide photo)",
			"  --max-size N          downscale photos whose longer side exceeds N pixels first",
			"  --pattern GLOB --recursive --overwrite");
	}

	@Override
	public int run(String[] argv, Console console) throws Exception {
		Args a = new Args(name(), argv, 1, Set.of("clean", "out", "preset", "density", "length", "angle", "width",
			"brightness", "motion-blur", "defocus", "transmission", "atmospheric-light", "seed", "max-size", "pattern"),
			Set.of("absolute-size", "recursive", "overwrite"));
		RainParams params;
		try {
			RainParams.Builder b = RainParams.Preset.parse(a.string("preset", "medium")).params().toBuilder();
			if (a.has("density")) b.optDensity(a.number("density", 0));
			if (a.has("length")) b.optLength(a.number("length", 0));
			if (a.has("angle")) b.optAngle(a.number("angle", 0));
			if (a.has("width")) b.optWidth(a.number("width", 0));
			if (a.has("brightness")) b.optBrightness(a.number("brightness", 0));
			if (a.has("motion-blur")) b.optMotionBlur(a.number("motion-blur", 0));
			if (a.has("defocus")) b.optDefocus(a.number("defocus", 0));
			if (a.has("transmission")) b.optTransmission(a.number("transmission", 1));
			if (a.has("atmospheric-light")) b.optAtmosphericLight(a.number("atmospheric-light", 0));
			params = b.optSeed(a.longValue("seed", 0)).build();
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": " + e.getMessage());
		}
		SynthesizeBatch synth = new SynthesizeBatch(a.path("out"), params, !a.flag("absolute-size"),
			a.integer("max-size", 0, 0), a.flag("overwrite"));
		FolderBatch batch = new FolderBatch(a.path("clean"), a.path("out"), a.string("pattern", null), a.flag("recursive"),
			a.flag("overwrite"), false);
		List<BatchItem> items = batch.run(synth.job(), synth.outputs(), (item, i, n) -> {
			console.progress("synthesizing", i, n);
			if (item.status() == BatchItem.Status.FAILED) console.note(item.file() + ": failed: " + item.message());
		}, () -> false);
		FolderBatch.writeCsv(items, a.path("out").resolve("synth-report.csv"));
		console.note(FolderBatch.summary(items) + " (report: " + a.path("out").resolve("synth-report.csv") + ")");
		return items.stream().anyMatch(i -> i.status() == BatchItem.Status.FAILED) ? 1 : 0;
	}
}
