package fiji.plugin.derain.train;

/**
 * Training stopped because the loss or the weights stopped being finite numbers (NaN or infinite), almost always
 * because the learning rate is too high. Thrown before anything of the diverged step is saved.
 */
public class TrainingDivergedException extends IllegalStateException {
	private static final long serialVersionUID = 1L;

	public TrainingDivergedException(String message) {
		super(message);
	}
}
