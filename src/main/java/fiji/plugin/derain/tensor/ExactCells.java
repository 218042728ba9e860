package fiji.plugin.derain.tensor;

/**
 * Which pixels of one tile's output are known to equal the whole-image output, on a grid of square cells of
 * {@code cell} pixels from the tile's top-left corner (a cell is exact or not as a whole).
 *
 * @param cell cell side in pixels
 * @param columns cells per row
 * @param rows cell rows
 * @param exact row-major, {@code columns × rows}
 */
public record ExactCells(int cell, int columns, int rows, boolean[] exact) {
	public ExactCells {
		if (cell < 1 || columns < 0 || rows < 0 || exact.length != (long) columns * rows)
			throw new IllegalArgumentException("exact cells: " + columns + " x " + rows + " cells of " + cell
				+ " px need as many flags, got " + exact.length);
	}

	/** Whether the pixel at ({@code x}, {@code y}) of the tile is exact. */
	public boolean exact(long x, long y) {
		return exact[(int) (y / cell) * columns + (int) (x / cell)];
	}
}
