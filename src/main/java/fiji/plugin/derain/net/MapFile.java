package fiji.plugin.derain.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One whole feature map (C, H, W), float32, in a temporary file, row by row: row y is its C × W values (channel-major),
 * so a band of rows is one contiguous read or write. The file is anonymous (deleted when opened, on POSIX systems:
 * nothing is left behind, even if the process is killed) and read and written with plain file I/O, so the
 * operating system's page cache keeps it in memory while memory is free, without counting it to the process.
 */
final class MapFile implements AutoCloseable {
	/** Largest single read: a ByteBuffer holds at most 2 GiB. */
	private static final long MAX_READ_BYTES = 1L << 30;

	final long channels, rows, width;
	private final long rowBytes;
	private final FileChannel file;
	/** Reused read buffer (its tensors are copied into libtorch memory at once). */
	private ByteBuffer buffer;

	private MapFile(FileChannel file, long channels, long rows, long width) {
		this.file = file;
		this.channels = channels;
		this.rows = rows;
		this.width = width;
		rowBytes = 4 * channels * width;
	}

	/** A new map of zeros in a temporary file in {@code folder}. */
	static MapFile create(Path folder, long channels, long rows, long width) throws IOException {
		Path path = Files.createTempFile(folder, "fiji-derain-", ".rows");
		FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
			StandardOpenOption.DELETE_ON_CLOSE);
		return new MapFile(file, channels, rows, width);
	}

	/** Bytes the map takes on disk. */
	static long bytes(long channels, long rows, long width) {
		return 4 * channels * rows * width;
	}

	/** Rows {@code [from, to)} as (1, C, to − from, W) in {@code manager} (owned by libtorch). */
	NDArray read(NDManager manager, long from, long to) {
		checkRows(from, to);
		long perRead = Math.max(1, MAX_READ_BYTES / rowBytes);
		if (to - from <= perRead) return readPart(manager, from, to);
		NDList parts = new NDList();
		for (long y = from; y < to; y += perRead) parts.add(readPart(manager, y, Math.min(to, y + perRead)));
		return NDArrays.concat(parts, 2);
	}

	private NDArray readPart(NDManager manager, long from, long to) {
		int bytes = Math.toIntExact((to - from) * rowBytes);
		if (buffer == null || buffer.capacity() < bytes) buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
		buffer.clear().limit(bytes);
		try {
			for (long at = from * rowBytes; buffer.hasRemaining(); ) {
				int n = file.read(buffer, at + buffer.position());
				if (n < 0) break; // beyond what was written: zeros
			}
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read back a feature map from the temporary folder: " + e.getMessage(), e);
		}
		while (buffer.hasRemaining()) buffer.put((byte) 0);
		buffer.flip();
		// the array made from the buffer aliases it: copy into libtorch memory, then let go of the alias
		try (NDArray alias = manager.create(buffer, new Shape(to - from, channels, width), DataType.FLOAT32)) {
			NDArray owned = alias.duplicate();
			return owned.transpose(1, 0, 2).expandDims(0);
		}
	}

	/** Writes {@code band} (1, C, n, W) as rows {@code [from, from + n)}. */
	void write(long from, NDArray band) {
		Shape s = band.getShape();
		if (s.dimension() != 4 || s.get(0) != 1 || s.get(1) != channels || s.get(3) != width)
			throw new IllegalArgumentException("band of shape " + s + " does not fit a map of " + channels + " × " + rows
				+ " × " + width);
		checkRows(from, from + s.get(2));
		try (NDArray rowMajor = band.get(0).transpose(1, 0, 2).reshape(s.get(2), channels * width)) {
			// a direct view of the tensor's own memory, written while the tensor is open. (toByteBuffer() copies the band
			// into a new Java byte[] of up to ~100 MB per write: on a 12000-pixel-wide image that garbage grew the
			// Java heap by gigabytes, more with more channels.)
			ByteBuffer bytes = rowMajor.toByteBuffer(true);
			for (long at = from * rowBytes; bytes.hasRemaining(); ) at += file.write(bytes, at);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot keep a feature map in the temporary folder (" + e.getMessage()
				+ "): free disk space there or choose another folder with -Djava.io.tmpdir=DIR", e);
		}
	}

	private void checkRows(long from, long to) {
		if (from < 0 || to > rows || from >= to)
			throw new IllegalArgumentException("rows [" + from + ", " + to + ") of a map of " + rows + " rows");
	}

	@Override
	public void close() {
		try {
			file.close();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
