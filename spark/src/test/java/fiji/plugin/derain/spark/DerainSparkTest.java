package fiji.plugin.derain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.evaluate.Evaluation;
import fiji.plugin.derain.evaluate.Pairing;
import fiji.plugin.derain.metrics.Convention;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The Spark job against {@code derain run}: same bytes, same failures, resumes after a kill, HDFS in and out. */
class DerainSparkTest extends SparkTestBase {
	@Test
	void writesTheBytesOfDerainRunAndARerunSkipsEverything() throws Exception {
		Path sparkOut = shared.resolve("spark-out");
		assertEquals(0, derainSpark("--out", sparkOut.toString(), photos.toString()), err());
		assertSameAsCli(files(sparkOut));
		Map<String, Row> rows = results(sparkOut.toUri().toString());
		assertEquals(CROPS.length, count(rows, "done"), rows.toString());
		assertTrue(rows.values().stream().allMatch(r -> r.getDouble(2) > 0 && r.isNullAt(4)), rows.toString());
		assertTrue(out().contains(CROPS.length + " done\n"), out());

		assertEquals(0, derainSpark("--out", sparkOut.toString(), photos.toString()), err());
		assertTrue(out().contains("0 done, " + CROPS.length + " skipped"), out());
		assertEquals(CROPS.length, count(results(sparkOut.toUri().toString()), "skipped"));
		assertSameAsCli(files(sparkOut));
	}

	@Test
	void aCorruptInputFailsItsRowNotTheJobWithTheExitCodeOfDerainRun() throws Exception {
		Path in = Files.createDirectories(shared.resolve("with-corrupt"));
		Files.copy(photos.resolve("street.png"), in.resolve("street.png"));
		Files.copy(photos.resolve("tram.tif"), in.resolve("tram.tif"));
		Files.writeString(in.resolve("broken.png"), "not a PNG at all");
		Path sparkOut = shared.resolve("corrupt-spark"), cliOut2 = shared.resolve("corrupt-cli");
		int cliCode = cli("run", "--out", cliOut2.toString(), in.toString());
		String cliErr = err();
		assertEquals(1, cliCode, cliErr);
		assertEquals(cliCode, derainSpark("--out", sparkOut.toString(), in.toString()), err());
		Map<String, Row> rows = results(sparkOut.toUri().toString());
		assertEquals(List.of("broken.png", "street.png", "tram.tif"), new ArrayList<>(rows.keySet()));
		assertEquals("failed", rows.get("broken.png").getString(1));
		String message = rows.get("broken.png").getString(3);
		assertTrue(cliErr.contains("broken.png: failed: " + message), message + " vs " + cliErr);
		assertTrue(out().contains("broken.png: failed: " + message), out());
		assertTrue(out().contains("2 done, 1 failed"), out());
		assertEquals(files(cliOut2).keySet(), files(sparkOut).keySet());
		assertArrayEquals(files(cliOut).get("street.png"), files(sparkOut).get("street.png"));
	}

	@Test
	void aKilledJobRerunFinishesOnlyWhatIsMissing() throws Exception {
		Path sparkOut = shared.resolve("killed");
		List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
		cmd.addAll(Arrays.stream(JavaModuleOptions.defaultModuleOptionArray()).filter(o -> !o.startsWith("--add-modules"))
			.toList());
		cmd.addAll(List.of("-Dai.djl.offline=true", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
			DerainSpark.class.getName(), "--master", "local[2]", "--out", sparkOut.toString(), photos.toString()));
		Path log = shared.resolve("killed-job.log");
		Process job = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		long deadline = System.nanoTime() + 180_000_000_000L;
		while (job.isAlive() && visible(sparkOut) < 2 && System.nanoTime() < deadline) Thread.sleep(20);
		job.destroyForcibly().waitFor();
		int existing = visible(sparkOut);
		assertTrue(existing >= 2 && existing < CROPS.length, "killed with " + existing + " outputs written; log:\n"
			+ Files.readString(log));

		assertEquals(0, derainSpark("--out", sparkOut.toString(), photos.toString()), err());
		Map<String, Row> rows = results(sparkOut.toUri().toString());
		assertEquals(CROPS.length - existing, count(rows, "done"), "recomputed = missing: " + rows);
		assertEquals(existing, count(rows, "skipped"), rows.toString());
		assertSameAsCli(files(sparkOut));
		try (Stream<Path> s = Files.list(sparkOut)) {
			assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".partial")).toList(),
				"partial files of the killed job are removed when their image is redone");
		}
	}

	@Test
	void readsAndWritesHdfsAndScoresAgainstReferences() throws Exception {
		Configuration conf = new Configuration();
		conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, shared.resolve("hdfs").toString());
		MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
		try {
			FileSystem fs = dfs.getFileSystem();
			String base = fs.getUri() + "/data";
			for (String name : new String[] { "street.png", "tram.tif", "sky.png" }) {
				fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(photos.resolve(name).toUri()),
					new org.apache.hadoop.fs.Path(base + "/in/" + name));
				fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(references.resolve(name).toUri()),
					new org.apache.hadoop.fs.Path(base + "/clean/" + name));
			}
			// the default model, read from HDFS by the driver and sent to the executor
			for (String file : new String[] { "model.json", "weights.safetensors" })
				fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Paths.get("..", "models", "default", file).toAbsolutePath()
					.toUri()), new org.apache.hadoop.fs.Path(base + "/model/" + file));
			assertEquals(1, derainSpark("--model", base + "/nomodel", "--out", base + "/out", base + "/in/sky.png"));
			assertEquals("derain-spark: not found: " + base + "/nomodel (no such model folder: it has no model.json)\n", err());
			// a glob and a file: the inputs are each listed once
			assertEquals(0, derainSpark("--model", base + "/model", "--out", base + "/out", "--reference", base + "/clean",
				base + "/in/*.png", base + "/in/tram.tif", base + "/in/sky.png"), err());
			Map<String, Row> rows = results(base + "/out");
			assertEquals(List.of("sky.png", "street.png", "tram.tif"), new ArrayList<>(rows.keySet()));
			for (String name : rows.keySet()) {
				byte[] written;
				try (var in = fs.open(new org.apache.hadoop.fs.Path(base + "/out/" + name))) {
					written = in.readAllBytes();
				}
				assertArrayEquals(files(cliOut).get(name), written, name + " on HDFS differs from derain run's");
				Evaluation.Result expected = Evaluation.run(List.of(new Pairing.Pair(name, "", cliOut.resolve(name),
					references.resolve(name))), Convention.STANDARD, (item, i, n) -> {}, () -> false);
				assertEquals(expected.mean().psnr(), rows.get(name).getDouble(4), 1e-9, name);
				assertEquals(expected.mean().ssim(), rows.get(name).getDouble(5), 1e-9, name);
			}
			assertTrue(out().contains("mean over 3 derained images with a reference: PSNR"), out());
			// on HDFS too: a finished output is skipped, and replaced only when asked
			assertEquals(0, derainSpark("--out", base + "/out", base + "/in/sky.png"), err());
			assertTrue(out().contains("0 done, 1 skipped"), out());
			assertEquals(0, derainSpark("--overwrite", "--out", base + "/out", base + "/in/sky.png"), err());
			assertTrue(out().contains("1 done\n"), out());
			try (var in = fs.open(new org.apache.hadoop.fs.Path(base + "/out/sky.png"))) {
				assertArrayEquals(files(cliOut).get("sky.png"), in.readAllBytes());
			}
			assertEquals(0, fs.listStatus(new org.apache.hadoop.fs.Path(base + "/out"),
				p -> p.getName().contains(".partial")).length, "no temporary files left");
		} finally {
			dfs.shutdown();
		}
	}

	private static int visible(Path folder) throws java.io.IOException {
		return Files.isDirectory(folder) ? files(folder).size() : 0;
	}
}
