package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.io.ImageFiles;

import ij.ImagePlus;
import ij.measure.ResultsTable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/** Derain Folder through CommandService: real outputs, a bad file recorded, resume by skipping, CSV report. */
class DerainFolderCommandTest {
	@TempDir
	static Path shared;
	static Path model;
	@TempDir
	Path tmp;
	Path in, out;
	Context context;

	@BeforeAll
	static void importModel() throws Exception {
		model = CommandFixtures.importModel(shared.resolve("model"));
	}

	@BeforeEach
	void folders() throws Exception {
		context = new Context(CommandService.class, LogService.class);
		in = Files.createDirectories(tmp.resolve("in"));
		out = tmp.resolve("out");
		ImageFiles.write(new ImagePlus("a", CommandFixtures.rgb(40, 32, 1)), in.resolve("a.png"), ImageFiles.Format.PNG,
			false);
		ImageFiles.write(new ImagePlus("b", CommandFixtures.rgb(40, 32, 2)), in.resolve("b.jpg"), ImageFiles.Format.JPEG,
			false);
		Files.writeString(in.resolve("bad.png"), "not a PNG");
		Files.writeString(in.resolve("notes.txt"), "not an image");
		Files.createDirectories(in.resolve("sub"));
		ImageFiles.write(new ImagePlus("c", CommandFixtures.rgb(40, 32, 3)), in.resolve("sub/c.png"), ImageFiles.Format.PNG,
			false);
	}

	@AfterEach
	void disposeContext() {
		context.dispose();
	}

	private ResultsTable run(Path input, Path output, Object... more) throws Throwable {
		Object[] base = { "input", input.toFile(), "output", output.toFile(), "model", model.toString(), "tile", 64,
			"overlap", 16, "device", "cpu" };
		Object[] inputs = new Object[base.length + more.length];
		System.arraycopy(base, 0, inputs, 0, base.length);
		System.arraycopy(more, 0, inputs, base.length, more.length);
		return (ResultsTable) CommandFixtures.run(context, DerainFolderCommand.class, inputs).get("report");
	}

	@Test
	void derainsEveryImageRecordsTheBadOneAndResumes() throws Throwable {
		ResultsTable t = run(in, out, "recursive", true);
		assertEquals(List.of("a.png", "b.jpg", "bad.png", "sub/c.png"), column(t, "file"));
		assertEquals(List.of("done", "done", "failed", "done"), column(t, "status"));
		assertTrue(t.getStringValue("message", 2).contains("bad.png could not be read as an image"),
			t.getStringValue("message", 2));
		for (String name : new String[] { "a.png", "b.jpg", "sub/c.png" }) {
			String base = name.substring(0, name.lastIndexOf('.'));
			ImagePlus derained = ImageFiles.read(out.resolve(base + ".png"));
			ImagePlus expected = CommandFixtures.engine(model, ImageFiles.read(in.resolve(name)), 64, 16);
			assertEquals(0, CommandFixtures.maxRgbDifference(derained, expected), name);
		}
		List<String> csv = Files.readAllLines(out.resolve(DerainFolderCommand.REPORT_CSV));
		assertEquals("file,status,seconds,message", csv.get(0));
		assertEquals(5, csv.size());
		assertTrue(csv.get(3).startsWith("bad.png,failed,"), csv.get(3));
		assertFalse(Files.exists(in.resolve("a-derained.png")), "nothing is written into the input folder");

		// Re-running resumes: finished files are skipped, the bad one is tried again.
		long written = Files.getLastModifiedTime(out.resolve("a.png")).toMillis();
		ResultsTable again = run(in, out, "recursive", true);
		assertEquals(List.of("skipped", "skipped", "failed", "skipped"), column(again, "status"));
		assertEquals(written, Files.getLastModifiedTime(out.resolve("a.png")).toMillis());
	}

	@Test
	void patternFormatAndOverwrite() throws Throwable {
		ResultsTable t = run(in, out, "pattern", "*.png", "format", "tiff");
		assertEquals(List.of("a.png", "bad.png"), column(t, "file"));
		assertTrue(Files.isRegularFile(out.resolve("a.tif")));
		assertEquals(List.of("done"), column(run(in, out, "pattern", "a.*", "format", "tiff", "overwrite", true),
			"status"));
	}

	@Test
	void refusesOutputInsideInputUnlessAllowed() throws Throwable {
		Throwable e = assertThrows(CommandSupport.CommandException.class, () -> run(in, in.resolve("derained")));
		assertTrue(e.getMessage().startsWith("Derain Folder: output folder " + in.resolve("derained") + " is inside the"
			+ " input folder"), e.getMessage());
		assertEquals(List.of("done"), column(run(in, in.resolve("derained"), "pattern", "a.png",
			"allow_output_in_input", true), "status"));
	}

	@Test
	void badParametersAreNamed() {
		DerainImageCommandTest.assertMessage("Derain Folder: format: unknown output format 'gif'; use auto | png | tiff"
			+ " | jpeg", () -> run(in, out, "format", "gif"));
		DerainImageCommandTest.assertMessage("Derain Folder: input: no images matching '*.bmp' in " + in,
			() -> run(in, out, "pattern", "*.bmp"));
		DerainImageCommandTest.assertMessage("Derain Folder: input folder " + tmp.resolve("none")
			+ " does not exist or is not a folder", () -> run(tmp.resolve("none"), out));
		DerainImageCommandTest.assertMessage("Derain Folder: overlap must be 0 or more pixels, got -1",
			() -> run(in, out, "overlap", -1));
	}

	@Test
	void cancelStopsBetweenFilesAndTheReportSaysSo() throws Exception {
		CommandSupport.Feedback escAfterFirstFile = new CommandSupport.Feedback() {
			int files;

			public void status(String message) {
				if (message.contains(" done")) files++;
			}

			public void progress(long done, long total) {}

			public void log(String line) {}

			public boolean cancelled() {
				return files > 0;
			}

			public void fail(String command, Throwable error) {}
		};
		ResultsTable t = DerainFolderCommand.derain(new DerainFolderCommand.Folders(in.toFile(), out.toFile(), "", false,
			"auto", false, false), new ModelOptions("folder", model.toFile(), 64, 16, "cpu"), escAfterFirstFile);
		assertEquals(List.of("done", "cancelled", "cancelled"), column(t, "status"));
		assertTrue(Files.isRegularFile(out.resolve("a.png")));
		assertFalse(Files.exists(out.resolve("b.png")));
	}

	static List<String> column(ResultsTable t, String name) {
		return java.util.stream.IntStream.range(0, t.size()).mapToObj(i -> t.getStringValue(name, i)).toList();
	}
}
