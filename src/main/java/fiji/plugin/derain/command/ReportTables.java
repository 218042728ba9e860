package fiji.plugin.derain.command;

import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.metrics.Score;

import ij.measure.ResultsTable;

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
	 * {@code mean <scene>} row per scene, and last a {@code mean} row over all images. Infinite PSNR (identical
	 * images) is kept as Infinity.
	 */
	public static ResultsTable evaluation(Evaluation.Result result) {
		ResultsTable t = new ResultsTable();
		for (Evaluation.Row r : result.rows())
			row(t, r.file(), r.scene(), new Score(r.psnr(), r.ssim()));
		Map<String, Score> scenes = result.sceneMeans();
		if (!(scenes.size() == 1 && scenes.containsKey("")))
			scenes.forEach((scene, score) -> row(t, "mean " + scene, scene, score));
		row(t, "mean", "", result.mean());
		t.setDecimalPlaces(t.getColumnIndex("psnr"), 4);
		t.setDecimalPlaces(t.getColumnIndex("ssim"), 6);
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
