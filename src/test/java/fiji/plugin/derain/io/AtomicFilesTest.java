package fiji.plugin.derain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.UserMessages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
	@TempDir
	Path tmp;

	@Test
	void aWriteRemovesOnlyStalePartialFilesOfItsOwnTarget() throws Exception {
		long dead = deadPid(), self = ProcessHandle.current().pid();
		Path deadWriter = touch(".a.png.partial-" + dead + "-123.png");
		Path oldLegacy = touch(".a.png.partial-8765432.png");
		Files.setLastModifiedTime(oldLegacy, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
		Path freshLegacy = touch(".a.png.partial-1234567.png");
		Path liveWriter = touch(".a.png.partial-" + self + "-99.png");
		Path otherTarget = touch(".b.png.partial-" + dead + "-1.png");
		Path lookalike = touch(".a.png.partial-" + dead + "-1.png.keep");
		Path user = touch("a.png.partial-" + dead + "-1.png");

		AtomicFiles.write(tmp.resolve("a.png"), false, out -> out.write(1));

		assertTrue(Files.notExists(deadWriter), "partial of a dead process");
		assertTrue(Files.notExists(oldLegacy), "old partial without a process id");
		for (Path kept : List.of(freshLegacy, liveWriter, otherTarget, lookalike, user))
			assertTrue(Files.exists(kept), kept + " must stay");
		try (Stream<Path> s = Files.list(tmp)) {
			assertEquals(6, s.count(), "a.png and the five kept files");
		}
	}

	@Test
	void unusableOutputFoldersAreNamed() throws Exception {
		Path file = touch("photo.png");
		IOException e = assertThrows(IOException.class, () -> AtomicFiles.requireWritableFolder(file));
		assertEquals(file + ": is a file, not a folder: give a folder for the outputs", UserMessages.describe(e));
		Path below = file.resolve("sub");
		e = assertThrows(IOException.class, () -> AtomicFiles.requireWritableFolder(below));
		assertTrue(UserMessages.describe(e).startsWith(below + ": cannot be used as the output folder"),
			UserMessages.describe(e));
		Path fresh = tmp.resolve("new/out");
		AtomicFiles.requireWritableFolder(fresh);
		try (Stream<Path> s = Files.list(fresh)) {
			assertEquals(0, s.count(), "created, and the write test left nothing behind");
		}
	}

	private Path touch(String name) throws IOException {
		return Files.writeString(tmp.resolve(name), "partial");
	}

	/** The id of a process that has ended. */
	private static long deadPid() throws Exception {
		Process p = new ProcessBuilder("true").start();
		p.waitFor();
		return p.pid();
	}
}
