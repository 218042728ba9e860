package fiji.plugin.derain.spark;

import fiji.plugin.derain.UserMessages;
import fiji.plugin.derain.cli.Args;
import fiji.plugin.derain.cli.RunCommand;
import fiji.plugin.derain.predict.ModelCatalog;
import fiji.plugin.derain.tensor.TiledInference;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * {@code bin/derain-spark} and the main class for {@code spark-submit}: derains files, folders or globs on any Hadoop
 * file system into an output folder with the engine, models, options, output names and exit codes of
 * {@code derain run} (0 all done or skipped, 1 some input failed, 2 a usage mistake). Existing outputs are skipped
 * unless {@code --overwrite}, so a rerun after a killed job does only what is missing.
 */
public final class DerainSpark {
	private DerainSpark() {}

	static final String USAGE = String.join("\n",
		"derain-spark [--master local[N]|URL] [--model default|NAME|DIR] [options] --out OUT_URI INPUT_URI...",
		"  Derains images on Apache Spark into OUT_URI/<name>.png (TIFF inputs give .tif), byte for byte as",
		"  'derain run'. An INPUT_URI is a file, a folder (its image files) or a glob, on any Hadoop file system",
		"  (file:, hdfs:, s3a:, ...). Existing outputs are skipped, so rerunning a stopped job finishes what is missing.",
		"  --master    Spark master (default: spark-submit's, else local[*]); local[N] runs here with N cores",
		"  --model     'default' (shipped), a model installed in " + ModelCatalog.userModels() + " on the driver, or a",
		"              model folder (local, or a URI such as hdfs://...); it is sent to the executors",
		RunCommand.TILING_HELP,
		"  --format    auto (default) | png | tiff | jpeg",
		"  --device    auto (GPU when present, default) | cpu | gpu",
		"  --overwrite replace existing outputs instead of skipping them",
		"  --reference DIR_URI  score each output against the image of the same name there (PSNR, SSIM)",
		"  Results: OUT_URI/_derain_results/results.parquet and results.csv (file, status, seconds, message, psnr, ssim).");

	private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?\\])?");

	/** The parsed command line. */
	record Job(String master, String model, String reference, List<String> inputs, JobOptions options) {}

	public static void main(String[] argv) {
		System.exit(run(argv, System.out, System.err, true));
	}

	/** Runs a job in this JVM's Spark session (created when there is none, and left running); returns the exit code. */
	public static int run(String[] argv, PrintStream out, PrintStream err) {
		return run(argv, out, err, false);
	}

	private static int run(String[] argv, PrintStream out, PrintStream err, boolean stopSession) {
		boolean debug = "1".equals(System.getenv("DERAIN_DEBUG")) || Arrays.asList(argv).contains("--debug");
		String[] args = Arrays.stream(argv).filter(a -> !a.equals("--debug")).toArray(String[]::new);
		if (args.length == 0 || Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
			(args.length == 0 ? err : out).println(USAGE);
			return args.length == 0 ? 2 : 0;
		}
		SparkSession spark = null;
		try {
			Job job = parse(args);
			spark = session(job.master());
			return run(spark, job, out);
		} catch (Args.UsageException e) {
			err.println(e.getMessage());
			return 2;
		} catch (Exception | Error e) {
			err.println("derain-spark: " + UserMessages.describe(e));
			if (debug) e.printStackTrace(err);
			return 1;
		} finally {
			if (stopSession && spark != null) spark.stop();
		}
	}

	static Job parse(String[] argv) {
		Args a = new Args("derain-spark", argv, 0, Set.of("master", "model", "out", "tile", "overlap", "format", "device",
			"reference"), Set.of("overwrite"));
		if (a.positional().isEmpty()) throw new Args.UsageException("derain-spark: give at least one input");
		String master = a.string("master", System.getProperty("spark.master", "local[*]"));
		JobOptions options;
		try {
			options = new JobOptions(a.required("out"), a.integer("tile", TiledInference.DEFAULT_TILE_SIZE, 0),
				a.integer("overlap", TiledInference.DEFAULT_OVERLAP, 0), a.string("format", "auto"), a.flag("overwrite"),
				a.string("device", "auto"), 0);
			fiji.plugin.derain.engine.DeviceChoice.parse(options.device());
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException("derain-spark: " + e.getMessage());
		}
		return new Job(master, a.string("model", ModelCatalog.DEFAULT), a.string("reference", null), a.positional(),
			options);
	}

	private static SparkSession session(String master) {
		SparkSession spark = SparkSession.builder().appName("fiji-derain").master(master).getOrCreate();
		if (master.startsWith("local")) spark.sparkContext().setLogLevel("WARN");
		return spark;
	}

	/** The job: list, check, derain in tasks, write the results table, print the summary. */
	static int run(SparkSession spark, Job job, PrintStream console) throws Exception {
		JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
		Configuration conf = sc.hadoopConfiguration();
		String out = outputFolder(job.options().out(), conf);
		List<String> files = Inputs.list(job.inputs(), conf);
		Inputs.check(files, out);
		List<Inputs.Input> inputs = Inputs.withReferences(files, job.reference(), conf);
		ModelFiles model = ModelFiles.read(job.model(), conf);
		JobOptions o = job.options();
		JobOptions options = new JobOptions(out, o.tileSize(), o.overlap(), o.format(), o.overwrite(), o.device(),
			executorCores(sc.getConf(), spark.sparkContext().master()));
		console.println("derain-spark: " + inputs.size() + " input(s), model " + model.name() + ", " + out);

		Broadcast<ModelFiles> modelB = sc.broadcast(model);
		Broadcast<SerializableConfiguration> confB = sc.broadcast(new SerializableConfiguration(conf));
		// small partitions: a lost executor or a killed job loses little, and a rerun skips the finished outputs
		int slices = Math.max(1, Math.min(inputs.size(), sc.defaultParallelism() * 100));
		Dataset<Row> rows = spark.createDataFrame(sc.parallelize(inputs, slices)
			.map(in -> DerainTask.process(in, options, modelB.value(), confB.value().value())), Results.SCHEMA);
		Dataset<Row> table = Results.write(spark, rows, out);
		return Results.summarize(table, out, job.reference() != null, console);
	}

	/** The output folder as a qualified URI, created when missing. */
	private static String outputFolder(String uri, Configuration conf) throws java.io.IOException {
		Path out = new Path(uri);
		FileSystem fs = out.getFileSystem(conf);
		out = fs.makeQualified(out);
		if (fs.exists(out) && !fs.getFileStatus(out).isDirectory())
			throw new Args.UsageException("derain-spark: --out " + uri + ": is a file, not a folder: give a folder for the"
				+ " outputs");
		if (!fs.mkdirs(out)) throw new Args.UsageException("derain-spark: --out " + uri + ": cannot be created");
		return out.toString();
	}

	/**
	 * libtorch threads per executor: its cores ({@code spark.executor.cores}; N of {@code local[N]}), or 0 for the
	 * executor machine's processors when the cluster manager decides.
	 */
	static int executorCores(SparkConf conf, String master) {
		Matcher m = LOCAL.matcher(master);
		if (m.matches()) return m.group(1) == null ? 1 : m.group(1).equals("*") ? 0 : Integer.parseInt(m.group(1));
		return conf.getInt("spark.executor.cores", 0);
	}
}
