package fiji.plugin.derain.spark;

import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.batch.FolderBatch;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The job's results table: one row per input ({@code file, status, seconds, message}, and {@code psnr, ssim} against
 * {@code --reference}; null when not scored), written to {@code OUT/_derain_results/} as Parquet and as one CSV
 * file, and the summary printed at the end.
 */
final class Results {
	private Results() {}

	static final StructType SCHEMA = new StructType().add("file", DataTypes.StringType, false)
		.add("status", DataTypes.StringType, false).add("seconds", DataTypes.DoubleType, false)
		.add("message", DataTypes.StringType, false).add("psnr", DataTypes.DoubleType, true)
		.add("ssim", DataTypes.DoubleType, true);

	/** Failed rows printed at most; the tables hold all. */
	static final int SHOWN_FAILURES = 20;

	/** Where the tables go: a folder Hadoop tools and {@code derain run} ignore ({@code _name}). */
	static String folder(String out) {
		return (out.endsWith("/") ? out : out + "/") + "_derain_results";
	}

	/**
	 * Writes the rows (computing them: this is the job's one pass over the images) as Parquet, then the CSV from the
	 * Parquet, so that nothing is derained twice.
	 *
	 * @return the table as read back from the Parquet files
	 */
	static Dataset<Row> write(SparkSession spark, Dataset<Row> rows, String out) {
		String dir = folder(out);
		rows.write().mode(SaveMode.Overwrite).parquet(dir + "/results.parquet");
		Dataset<Row> table = spark.read().parquet(dir + "/results.parquet");
		table.orderBy("file").coalesce(1).write().mode(SaveMode.Overwrite).option("header", true)
			.csv(dir + "/results.csv");
		return table;
	}

	/**
	 * Prints the failures and a summary such as {@code 12 done, 3 skipped, 1 failed} (as {@code derain run});
	 * returns {@code derain run}'s exit code: 0 when every input is done or skipped, else 1.
	 */
	static int summarize(Dataset<Row> table, String out, boolean scored, PrintStream console) {
		Map<String, Long> counts = new LinkedHashMap<>();
		for (Row r : table.groupBy("status").count().collectAsList()) counts.put(r.getString(0), r.getLong(1));
		List<Row> failed = table.filter(functions.col("status").notEqual(BatchItem.Status.DONE.id())
			.and(functions.col("status").notEqual(BatchItem.Status.SKIPPED.id()))).orderBy("file")
			.limit(SHOWN_FAILURES).collectAsList();
		for (Row r : failed) console.println(r.getString(0) + ": " + r.getString(1) + ": " + r.getString(3));
		long bad = counts.entrySet().stream().filter(e -> !e.getKey().equals(BatchItem.Status.DONE.id())
			&& !e.getKey().equals(BatchItem.Status.SKIPPED.id())).mapToLong(Map.Entry::getValue).sum();
		if (bad > failed.size()) console.println("... and " + (bad - failed.size()) + " more (see the results table)");
		if (scored) {
			// as derain eval: identical images (infinite PSNR) are left out of the PSNR mean
			Row m = table.agg(functions.avg(functions.when(functions.col("psnr").notEqual(Double.POSITIVE_INFINITY),
				functions.col("psnr"))), functions.avg("ssim"), functions.count("psnr")).first();
			if (m.getLong(2) > 0) console.println(String.format(Locale.ROOT,
				"mean over %d derained images with a reference: PSNR %.2f dB, SSIM %.4f", m.getLong(2), m.getDouble(0),
				m.getDouble(1)));
		}
		console.println(FolderBatch.summary(s -> counts.getOrDefault(s.id(), 0L)));
		console.println("results: " + folder(out) + "/results.parquet and results.csv");
		return bad == 0 ? 0 : 1;
	}
}
