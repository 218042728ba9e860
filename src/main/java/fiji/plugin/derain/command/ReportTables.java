package fiji.plugin.derain.command;

import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.metrics.Score;

import ij.measure.ResultsTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The result tables of the Deraining commands, built the same way in Fiji and in ImageJ 1.x. Text columns
 * come first, so that macros read them with {@code Table.getString}/{@code getResultString}.
 */
public final class ReportTables {
	private ReportTables() {}

	/** Derain Folder: one row per input with columns {@code file, status, seconds, message}. */
	public static ResultsTable batch(List<BatchItem> items) {
		ResultsTable t = new ResultsTable();
		for (BatchItem item : items) {
			t.incrementCounter();
			t.addValue("file", item.file().toString());
			t.addValue("status", item.status().id());
			t.addValue("seconds", item.seconds());
			t.addValue("message", item.message());
		}
		t.setDecimalPlaces(t.getColumnIndex("seconds"), 3);
		return t;
	}

	/**
	 * Evaluate: one row per scored image ({@code file, scene, psnr, ssim}), then for GT-RAIN scenes one
	 * {@code mean <scene>} row per scene, then one row per pair that could not be scored (psnr and ssim NaN, the
	 * reason in {@code error}), and last a {@code mean} row over the scored images. Infinite PSNR (identical
	 * images) is kept as Infinity.
	 */
	public static ResultsTable evaluation(Evaluation.Result result) {
		ResultsTable t = new ResultsTable();
		for (Evaluation.Row r : result.rows())
			row(t, r.file(), r.scene(), new Score(r.psnr(), r.ssim()));
		Map<String, Score> scenes = result.sceneMeans();
		if (!(scenes.size() == 1 && scenes.containsKey("")))
			scenes.forEach((scene, score) -> row(t, "mean " + scene, scene, score));
		for (Evaluation.Failure f : result.failures()) {
			row(t, f.file(), f.scene(), new Score(Double.NaN, Double.NaN));
			t.addValue("error", f.reason());
		}
		row(t, "mean", "", result.mean());
		t.setDecimalPlaces(t.getColumnIndex("psnr"), 4);
		t.setDecimalPlaces(t.getColumnIndex("ssim"), 6);
		return t;
	}

	/**
	 * Train Derainer: the epoch log {@code csv} ({@link fiji.plugin.derain.train.TrainingRun#LOG}) with its own
	 * columns, one row per epoch; empty cells (no validation set) become NaN. An empty table when there is no log
	 * yet (a run cancelled in its first epoch).
	 */
	public static ResultsTable trainingLog(Path csv) throws IOException {
		ResultsTable t = new ResultsTable();
		if (!Files.isRegularFile(csv)) return t;
		List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
		if (lines.isEmpty()) return t;
		String[] columns = lines.get(0).split(",");
		for (String line : lines.subList(1, lines.size())) {
			if (line.isBlank()) continue;
			String[] cells = line.split(",", -1);
			t.incrementCounter();
			for (int c = 0; c < columns.length; c++)
				t.addValue(columns[c], c < cells.length && !cells[c].isBlank() ? Double.parseDouble(cells[c]) : Double.NaN);
		}
		return t;
	}

	private static void row(ResultsTable t, String file, String scene, Score s) {
		t.incrementCounter();
		t.addValue("file", file);
		t.addValue("scene", scene);
		t.addValue("psnr", s.psnr());
		t.addValue("ssim", s.ssim());
	}
}
