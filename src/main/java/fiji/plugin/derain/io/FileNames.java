package fiji.plugin.derain.io;

import java.nio.file.Path;
import java.util.Locale;

/** File-name helpers shared by the readers, writers and batch tools. */
public final class FileNames {
	private FileNames() {}

	/** File name without its extension: {@code rain/frame_001.jpg} → {@code frame_001}. */
	public static String baseName(Path file) {
		String n = file.getFileName().toString();
		int dot = n.lastIndexOf('.');
		return dot > 0 ? n.substring(0, dot) : n;
	}

	/** Lower-case extension without the dot, or "" if none. */
	public static String extension(Path file) {
		String n = file.getFileName().toString();
		int dot = n.lastIndexOf('.');
		return dot > 0 ? n.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
	}
}
