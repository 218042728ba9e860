package fiji.plugin.derain.engine;

/**
 * The PyTorch engine could not be loaded. The message says what to install and where; the cause
 * keeps DJL's own error for developers.
 */
public class EngineUnavailableException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	EngineUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}
}
