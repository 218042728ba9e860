package fiji.plugin.derain;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The JVM stopping while a long command runs (Ctrl-C, SIGTERM or SIGHUP on the command line, Fiji or ImageJ quitting
 * during training): the command is asked to stop at its next safe point (between training steps, tiles or bands, where
 * it saves what can be resumed) and the JVM's shutdown waits for it, at most {@link #WAIT}. Without this the JVM would exit under a running libtorch op, whose static destructors then run
 * beneath it: a JVM crash report ({@code hs_err_pid*.log} in the working folder) instead of a clean stop.
 * Close it when the command is done, after its last message (a stopping JVM exits as soon as it is closed).
 */
public final class StopRequest implements AutoCloseable {
	/** Longest wait for the command to reach its safe point (a full-size training step on a slow CPU: minutes). */
	public static final Duration WAIT = Duration.ofMinutes(5);

	private final AtomicBoolean requested = new AtomicBoolean();
	private final CountDownLatch finished = new CountDownLatch(1);
	private final Thread hook;

	/**
	 * @param announce where the stop is announced
	 * @param message what the user is told when the stop is requested (what the command does now)
	 */
	public StopRequest(Consumer<String> announce, String message) {
		hook = new Thread(() -> {
			requested.set(true);
			announce.accept(message);
			try {
				if (!finished.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
					announce.accept("did not stop within " + WAIT.toSeconds() + " s; exiting anyway");
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}, "derain-stop-request");
		Runtime.getRuntime().addShutdownHook(hook);
	}

	/** True once a stop was requested: the command should stop at its next safe point. */
	public boolean requested() {
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
