package fiji.plugin.derain.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderBatchTest {
	@TempDir
	Path tmp;
	Path in, out;

	@BeforeEach
	void files() throws IOException {
		in = Files.createDirectories(tmp.resolve("in"));
		out = tmp.resolve("out");
		for (String n : new String[] {"a.png", "b.png", "bad.png", "c.jpg", "notes.txt"})
			Files.writeString(in.resolve(n), n.equals("bad.png") ? "" : "content of " + n);
		Files.createDirectories(in.resolve("sub"));
		Files.writeString(in.resolve("sub/d.png"), "content of d");
	}

	/** A real job: upper-cases the file into OUT/<relative>.txt; empty files are "unreadable". */
	FolderBatch.Job upperCase() {
		return (input, rel) -> {
			String s = Files.readString(input);
			if (s.isEmpty()) throw new IOException(input.getFileName() + " is empty");
			AtomicFiles.write(target(rel), false, o -> o.write(s.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
		};
	}

	Path target(Path rel) {
		return out.resolve(rel + ".txt");
	}

	@Test
	void processesImagesGoesPastBadFilesAndResumes() throws IOException {
		FolderBatch batch = new FolderBatch(in, out, null, true, false, false);
		assertEquals(List.of(Path.of("a.png"), Path.of("b.png"), Path.of("bad.png"), Path.of("c.jpg"),
			Path.of("sub/d.png")), batch.inputs());
		List<BatchItem> first = batch.run(upperCase(), rel -> List.of(target(rel)), (i, n, t) -> {}, () -> false);
		assertEquals("4 done, 1 failed", FolderBatch.summary(first));
		assertEquals("bad.png is empty", first.get(2).message());
		assertEquals("CONTENT OF D", Files.readString(out.resolve("sub/d.png.txt")));

		// A second run (a resume) skips what exists and retries only the failure.
		List<BatchItem> again = batch.run(upperCase(), rel -> List.of(target(rel)), (i, n, t) -> {}, () -> false);
		assertEquals("0 done, 4 skipped, 1 failed", FolderBatch.summary(again));
	}

	@Test
	void cancelStopsBetweenFilesAndTheRestCanBeResumed() throws IOException {
		FolderBatch batch = new FolderBatch(in, out, "*.png", false, false, false);
		AtomicInteger seen = new AtomicInteger();
		List<BatchItem> items = batch.run(upperCase(), rel -> List.of(target(rel)), (i, n, t) -> seen.set(n),
			() -> Files.exists(target(Path.of("a.png"))));
		assertEquals(3, seen.get());
		assertEquals("1 done, 2 cancelled", FolderBatch.summary(items));
		items = batch.run(upperCase(), rel -> List.of(target(rel)), (i, n, t) -> {}, () -> false);
		assertEquals("1 done, 1 skipped, 1 failed", FolderBatch.summary(items));
	}

	@Test
	void neverWritesInsideTheInputFolderUnlessAsked() throws IOException {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> new FolderBatch(in, in.resolve("derained"), null, false, false, false));
		assertTrue(e.getMessage().contains("inside the input folder"), e.getMessage());
		new FolderBatch(in, in.resolve("derained"), null, false, false, true);
		IOException missing = assertThrows(IOException.class,
			() -> new FolderBatch(tmp.resolve("nope"), out, null, false, false, false));
		assertTrue(missing.getMessage().contains("nope"));
	}

	@Test
	void csvReportQuotesMessages() throws IOException {
		Path csv = tmp.resolve("report.csv");
		FolderBatch.writeCsv(List.of(new BatchItem(Path.of("x, y.png"), BatchItem.Status.FAILED, 1.25, "said \"no\"")),
			csv);
		assertEquals("file,status,seconds,message\n\"x, y.png\",failed,1.250,\"said \"\"no\"\"\"\n",
			Files.readString(csv));
	}
}
