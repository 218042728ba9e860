package fiji.plugin.derain.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C, SIGTERM or SIGHUP while a long command runs: the command is asked to stop at its next safe point (between
 * training steps, tiles or bands, where it saves what can be resumed) and the JVM's shutdown waits for it, at most
 * {@link #WAIT}. Without this the JVM would exit under a running libtorch op, whose static destructors then run
 * beneath it: a JVM crash report ({@code hs_err_pid*.log} in the working folder) instead of a clean stop.
 * Close it when the command is done, after its last message (a stopping JVM exits as soon as it is closed).
 */
final class StopRequest implements AutoCloseable {
	/** Longest wait for the command to reach its safe point (a full-size training step on a slow CPU: minutes). */
	static final Duration WAIT = Duration.ofMinutes(5);

	private final AtomicBoolean requested = new AtomicBoolean();
	private final CountDownLatch finished = new CountDownLatch(1);
	private final Thread hook;

	/**
	 * @param console where the stop is announced
	 * @param message what the user is told when the stop is requested (what the command does now)
	 */
	StopRequest(Console console, String message) {
		hook = new Thread(() -> {
			requested.set(true);
			console.note(message);
			try {
				if (!finished.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
					console.note("did not stop within " + WAIT.toSeconds() + " s; exiting anyway");
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}, "derain-stop-request");
		Runtime.getRuntime().addShutdownHook(hook);
	}

	/** True once a stop was requested: the command should stop at its next safe point. */
	boolean requested() {
		return requested.get();
	}

	@Override
	public void close() {
		finished.countDown();
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		} catch (IllegalStateException shuttingDown) {
			// the JVM is stopping: the hook is running and now returns
		}
	}
}
