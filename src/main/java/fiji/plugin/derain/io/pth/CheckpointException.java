package fiji.plugin.derain.io.pth;

import java.io.IOException;

/**
 * A PyTorch checkpoint that cannot be read, or must not be: not a checkpoint, damaged, or asking to run
 * code. The message is one line that names the file and, where there is one, what to do about it.
 */
public class CheckpointException extends IOException {
	private static final long serialVersionUID = 1L;

	public CheckpointException(String message) {
		super(message);
	}

	public CheckpointException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Text taken from a file, made safe for a one-line message: control characters as {@code \\uXXXX}, and at most
	 * 80 characters (then "...").
	 */
	public static String printable(String text) {
		StringBuilder b = new StringBuilder();
		text.codePoints().limit(80).forEach(c -> {
			if (Character.isISOControl(c)) b.append(String.format("\\u%04x", c));
			else b.appendCodePoint(c);
		});
		return text.codePointCount(0, text.length()) > 80 ? b + "..." : b.toString();
	}
}
