package fiji.plugin.derain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.cli.Args;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the driver decides before any Spark work: options, inputs, output names, threads. No Spark session. */
class ArgumentsTest {
	@TempDir
	Path tmp;

	@Test
	void usageMistakesAreOneLineAndExitCode2() {
		assertUsage("derain-spark: --out is required", "in.png");
		assertUsage("derain-spark: give at least one input", "--out", "o");
		assertUsage("derain-spark: unknown option --shard (see derain-spark --help)", "--shard", "1/2", "--out", "o", "x");
		assertUsage("derain-spark: --tile must be a whole number, got 'big'", "--tile", "big", "--out", "o", "x");
		assertUsage("derain-spark: tile must be 0 (whole image) or at least 64 pixels, got 8", "--tile", "8", "--out", "o",
			"x");
		assertUsage("derain-spark: unknown output format 'gif': use png | tiff | jpeg", "--format", "gif", "--out", "o", "x");
	}

	@Test
	void outputsAreNamedAsDerainRunNamesThem() {
		JobOptions auto = new JobOptions("file:/o", 256, 32, "auto", false, "auto", 0);
		assertEquals("frame_001.png", auto.outputName("frame_001.jpg"));
		assertEquals("stack.tif", auto.outputName("stack.TIFF"));
		assertEquals("stack.png", new JobOptions("file:/o", 256, 32, "png", false, "auto", 0).outputName("stack.tif"));
	}

	@Test
	void foldersGlobsAndFilesAreListedSortedOnce() throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in"));
		for (String n : new String[] { "b.png", "a.jpg", "c.tif", ".hidden.png", "_SUCCESS", "notes.txt" })
			Files.writeString(in.resolve(n), n);
		Files.createDirectories(in.resolve("sub"));
		Files.writeString(in.resolve("sub/d.png"), "d");
		Configuration conf = new Configuration();
		String base = in.toUri().toString().replaceAll("/$", "");
		List<String> listed = Inputs.list(List.of(in.toString(), in.resolve("b.png").toString(), base + "/*.png"), conf);
		assertEquals(List.of(base + "/a.jpg", base + "/b.png", base + "/c.tif").stream().map(s -> s.replace("file:///",
			"file:/")).toList(), listed);
		Args.UsageException e = assertThrows(Args.UsageException.class, () -> Inputs.list(List.of(base + "/*.gif"), conf));
		assertEquals("derain-spark: input " + base + "/*.gif matches no file or folder", e.getMessage());
	}

	@Test
	void sameNamesAndOutputInsideAnInputFolderAreRefused() {
		assertTrue(assertThrows(Args.UsageException.class, () -> Inputs.check(List.of("file:/a/x.png", "file:/b/x.jpg"),
			"file:/out")).getMessage().contains("would both be written as x.*"));
		assertEquals("derain-spark: output folder file:/a/out is inside the input folder file:/a/; choose another output"
			+ " folder", assertThrows(Args.UsageException.class, () -> Inputs.check(List.of("file:/a/x.png"),
				"file:/a/out")).getMessage());
		Inputs.check(List.of("file:/a/x.png", "hdfs://nn:8020/a/y.png"), "file:/ab");
	}

	@Test
	void libtorchThreadsAreTheExecutorsCores() {
		SparkConf conf = new SparkConf(false);
		assertEquals(3, DerainSpark.executorCores(conf, "local[3]"));
		assertEquals(1, DerainSpark.executorCores(conf, "local"));
		assertEquals(0, DerainSpark.executorCores(conf, "local[*]"));
		assertEquals(2, DerainSpark.executorCores(conf, "local[2,4]"));
		assertEquals(0, DerainSpark.executorCores(conf, "yarn"));
		assertEquals(8, DerainSpark.executorCores(conf.set("spark.executor.cores", "8"), "spark://host:7077"));
	}

	private static void assertUsage(String message, String... args) {
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
		assertEquals(2, DerainSpark.run(args, new PrintStream(new ByteArrayOutputStream()), e));
		assertEquals(message + "\n", err.toString(StandardCharsets.UTF_8));
	}
}
