package fiji.plugin.derain.spark;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.batch.BatchItem;
import fiji.plugin.derain.batch.FolderBatch;
import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.evaluate.Pairing;
import fiji.plugin.derain.metrics.Convention;
import fiji.plugin.derain.predict.DerainBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One input on an executor, by the code of {@code derain run}: {@link FolderBatch#process} with
 * {@link DerainBatch#job()} (read, check, tile, derain, write), on a local copy when the input is remote, into the
 * output folder itself when it is local ({@code file:}), else into a local folder whose file is then published
 * atomically ({@link HadoopFiles#publish}). Never throws: a bad file is a {@code failed} row.
 */
final class DerainTask {
	private DerainTask() {}

	/** A row of {@link Results#SCHEMA}. */
	static Row process(Inputs.Input input, JobOptions o, ModelFiles model, Configuration conf) {
		long t0 = System.nanoTime();
		java.nio.file.Path work = null;
		try {
			Path target = new Path(o.out(), o.outputName(input.name()));
			FileSystem outFs = target.getFileSystem(conf);
			boolean localOut = HadoopFiles.isLocal(o.out());
			if (!o.overwrite() && outFs.exists(target))
				return row(input, BatchItem.Status.SKIPPED, t0, "output exists: " + target, null);
			work = Files.createTempDirectory("fiji-derain-task-");
			java.nio.file.Path in = local(input.uri(), work.resolve("in"), conf);
			java.nio.file.Path outDir = localOut ? Paths.get(target.getParent().toUri()) : work.resolve("out");
			BatchItem item = ExecutorModel.with(model, o.device(), o.threads(), d -> {
				DerainBatch batch = new DerainBatch(d, o.settings(), outDir, o.format(), o.overwrite(), (done, total) -> {},
					cancelled());
				return FolderBatch.process(null, List.of(in), o.overwrite(), batch.job(), batch.outputs(),
					(it, i, n) -> {}, cancelled()).get(0);
			});
			if (item.status() != BatchItem.Status.DONE) return row(input, item.status(), t0, item.message(), null);
			java.nio.file.Path produced = outDir.resolve(target.getName());
			if (!localOut) HadoopFiles.publish(produced, outFs, target, o.overwrite());
			Evaluation.Result score = input.reference() == null ? null : score(produced, input.reference(), work, conf);
			return row(input, BatchItem.Status.DONE, t0, item.message(), score);
		} catch (Exception | OutOfMemoryError e) {
			return row(input, BatchItem.Status.FAILED, t0, UserMessages.describe(e), null);
		} finally {
			deleteQuietly(work);
		}
	}

	/** PSNR and SSIM of the written output against its reference, by {@code derain eval}'s code (standard). */
	private static Evaluation.Result score(java.nio.file.Path output, String reference, java.nio.file.Path work,
		Configuration conf) throws IOException {
		java.nio.file.Path ref = local(reference, work.resolve("ref"), conf);
		return Evaluation.run(List.of(new Pairing.Pair(output.getFileName().toString(), "", output, ref)),
			Convention.STANDARD, (item, i, n) -> {}, () -> false);
	}

	/** The input as a local file: itself for {@code file:} URIs, else a copy in {@code folder} under its name. */
	private static java.nio.file.Path local(String uri, java.nio.file.Path folder, Configuration conf)
		throws IOException {
		Path p = new Path(uri);
		if (HadoopFiles.isLocal(uri)) return Paths.get(p.toUri());
		java.nio.file.Path copy = folder.resolve(p.getName());
		HadoopFiles.copyToLocal(p.getFileSystem(conf), p, copy);
		return copy;
	}

	/** True once Spark has killed this task (job cancelled, speculative copy no longer needed). */
	private static BooleanSupplier cancelled() {
		TaskContext task = TaskContext.get();
		return () -> task != null && task.isInterrupted();
	}

	private static Row row(Inputs.Input input, BatchItem.Status status, long t0, String message,
		Evaluation.Result score) {
		Double psnr = null, ssim = null;
		if (score != null && !score.rows().isEmpty()) {
			psnr = score.mean().psnr();
			ssim = score.mean().ssim();
		} else if (score != null) message = join(message, "not scored: " + String.join("; ", score.problems()));
		return RowFactory.create(input.uri(), status.id(), (System.nanoTime() - t0) / 1e9, message, psnr, ssim);
	}

	private static String join(String a, String b) {
		return a == null || a.isEmpty() ? b : a + "; " + b;
	}

	private static void deleteQuietly(java.nio.file.Path dir) {
		if (dir == null) return;
		try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
			s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		} catch (IOException e) {
			// a temporary folder left behind is harmless
		}
	}
}
