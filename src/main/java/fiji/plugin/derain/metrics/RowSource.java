package fiji.plugin.derain.metrics;

/**
 * One channel of an image, read row by row as doubles. Sources are shared between threads; each
 * thread asks for its own {@link Reader}.
 */
interface RowSource {
	int width();

	int height();

	/** A reader for one thread; readers are cheap and not thread-safe. */
	Reader reader();

	interface Reader {
		/** Copies row {@code y} (0-based, 0 ≤ y &lt; height) into {@code row[0 .. width)}. */
		void read(int y, double[] row);
	}
}
