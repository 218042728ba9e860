package fiji.plugin.derain.io.pth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a PyTorch checkpoint written by {@code torch.save} (zip format, PyTorch ≥ 1.6) without running
 * anything from it. See {@link TorchGlobals} for the globals a checkpoint may name; any other makes the
 * read fail with a {@link CheckpointException} before anything is called.
 */
public final class PthReader {
	private PthReader() {}

	/**
	 * The unpickled root object: usually a {@code Map<Object, Object>} (str keys as {@link String}) of
	 * {@link RawTensor}s or of other values; see {@link Unpickler} for how each Python type comes back.
	 * Storages are read into memory (each at most 2 GB) and the file is closed before this returns.
	 *
	 * @throws CheckpointException if the file is not a zip checkpoint, is damaged or truncated, or names a
	 *         global outside the allow-list; the message is one line naming the file
	 * @throws IOException if the file cannot be read at all
	 */
	public static Object read(Path file) throws IOException {
		try (PthArchive archive = PthArchive.open(file)) {
			TorchGlobals torch = new TorchGlobals(archive);
			return new Unpickler(archive.pickle(), archive.source + ": data.pkl", torch, torch).load();
		}
	}
}
