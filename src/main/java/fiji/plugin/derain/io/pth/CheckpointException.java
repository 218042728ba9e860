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
}
