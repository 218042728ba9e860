package fiji.plugin.derain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One local[2] Spark session for a test class, photos cut from the project's sample photo (rainy and clean), and the
 * outputs {@code derain run} writes for them: what the Spark job must reproduce byte for byte.
 */
abstract class SparkTestBase {
	/** The shipped sample photo pair (751 x 563), one folder up from this module. */
	static final Path RAIN = Paths.get("..", "models", "samples", "leuven-rain.png"),
		CLEAN = Paths.get("..", "models", "samples", "leuven-clean.png");

	/** Crops: name, x, y, width, height; odd sizes and every output format the naming knows. */
	static final Object[][] CROPS = { { "street.png", 0, 0, 120, 90 }, { "facade.png", 200, 40, 101, 77 },
		{ "tram.tif", 380, 300, 96, 72 }, { "corner.jpg", 600, 420, 110, 80 }, { "sky.png", 300, 0, 128, 64 },
		{ "kerb.png", 40, 460, 90, 100 } };

	@TempDir
	static Path shared;
	static Path photos, references, cliOut;
	static SparkSession spark;
	static final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	@BeforeAll
	static void photosAndTheirCliOutputs() throws Exception {
		photos = cut(RAIN, shared.resolve("photos"));
		references = cut(CLEAN, shared.resolve("clean"));
		cliOut = shared.resolve("cli-out");
		assertEquals(0, cli("run", "--out", cliOut.toString(), photos.toString()), err());
		spark = SparkSession.builder().master("local[2]").appName("derain-spark-test").config("spark.ui.enabled", false)
			.config("spark.sql.shuffle.partitions", 2).getOrCreate();
	}

	@AfterAll
	static void stop() {
		if (spark != null) spark.stop();
		spark = null;
	}

	static Path cut(Path photo, Path folder) throws IOException {
		Files.createDirectories(folder);
		ImagePlus whole = IJ.openImage(photo.toString());
		for (Object[] c : CROPS) {
			whole.setRoi((int) c[1], (int) c[2], (int) c[3], (int) c[4]);
			ImagePlus crop = whole.crop();
			String file = folder.resolve((String) c[0]).toString();
			if (file.endsWith(".png")) new FileSaver(crop).saveAsPng(file);
			else if (file.endsWith(".tif")) new FileSaver(crop).saveAsTiff(file);
			else new FileSaver(crop).saveAsJpeg(file);
		}
		return folder;
	}

	/** {@code derain ARGS} in this JVM; returns the exit code. */
	static int cli(String... args) {
		out.reset();
		err.reset();
		return fiji.plugin.derain.cli.Main.run(args, print(out), print(err));
	}

	/** {@code derain-spark ARGS} in this JVM's session; returns the exit code. */
	static int derainSpark(String... args) {
		out.reset();
		err.reset();
		return DerainSpark.run(args, print(out), print(err));
	}

	static String out() {
		return out.toString(StandardCharsets.UTF_8);
	}

	static String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	private static PrintStream print(ByteArrayOutputStream bytes) {
		return new PrintStream(bytes, true, StandardCharsets.UTF_8);
	}

	/** The visible files of a folder (no hidden or {@code _} files or folders) → their bytes. */
	static Map<String, byte[]> files(Path folder) throws IOException {
		Map<String, byte[]> files = new TreeMap<>();
		try (Stream<Path> s = Files.list(folder)) {
			for (Path p : s.toList()) {
				String n = p.getFileName().toString();
				if (Files.isRegularFile(p) && !n.startsWith(".") && !n.startsWith("_")) files.put(n, Files.readAllBytes(p));
			}
		}
		return files;
	}

	/** Asserts that a folder holds exactly {@code derain run}'s outputs, byte for byte. */
	static void assertSameAsCli(Map<String, byte[]> actual) throws IOException {
		Map<String, byte[]> expected = files(cliOut);
		assertEquals(expected.keySet(), actual.keySet());
		for (String n : expected.keySet())
			org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(n), actual.get(n), n + " differs from derain run's");
	}

	/** The results table (read from its Parquet files): input file name → row; checks the CSV beside it. */
	static Map<String, Row> results(String out) throws IOException {
		String dir = out + "/_derain_results";
		Map<String, Row> rows = new TreeMap<>();
		for (Row r : spark.read().parquet(dir + "/results.parquet").collectAsList())
			rows.put(new org.apache.hadoop.fs.Path(r.getString(0)).getName(), r);
		List<Row> csv = spark.read().option("header", true).csv(dir + "/results.csv").collectAsList();
		assertEquals(rows.size(), csv.size(), "CSV rows");
		assertEquals(List.of("file", "status", "seconds", "message", "psnr", "ssim"),
			List.of(spark.read().option("header", true).csv(dir + "/results.csv").columns()));
		return rows;
	}

	/** How many rows of the table have {@code status}. */
	static long count(Map<String, Row> rows, String status) {
		return rows.values().stream().filter(r -> r.getString(1).equals(status)).count();
	}
}
