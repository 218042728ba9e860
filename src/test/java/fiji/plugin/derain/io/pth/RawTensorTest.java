package fiji.plugin.derain.io.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fiji.plugin.derain.testutil.Fixtures;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views over hand-made storages (values known by construction) and a big-endian checkpoint. */
class RawTensorTest {
	/** Float32 storage holding 0, 1, ..., n-1. */
	private static Storage counting(int n) {
		ByteBuffer bytes = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < n; i++)
			bytes.putFloat(4 * i, i);
		return new Storage("k", TorchDtype.FLOAT32, bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
	}

	@Test
	void stridedViewsReadInRowMajorOrder() throws CheckpointException {
		Storage s = counting(12);
		// the transpose of a 3×4 matrix stored from offset 0: rows of the view are columns of the storage
		RawTensor t = RawTensor.view(s, 0, new long[] { 4, 3 }, new long[] { 1, 4 }, "x.pth");
		assertArrayEquals(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, t.toFloats());
		// an expanded (stride 0) view repeats one row
		RawTensor expanded = RawTensor.view(s, 5, new long[] { 2, 3 }, new long[] { 0, 1 }, "x.pth");
		assertArrayEquals(new float[] { 5, 6, 7, 5, 6, 7 }, expanded.toFloats());
		RawTensor scalar = RawTensor.view(s, 11, new long[0], new long[0], "x.pth");
		assertArrayEquals(new float[] { 11 }, scalar.toFloats());
		RawTensor empty = RawTensor.view(s, 12, new long[] { 0, 5 }, new long[] { 5, 1 }, "x.pth");
		assertEquals(0, empty.toFloats().length, "an empty view may sit at the end of its storage");
	}

	@Test
	void viewPastTheStorageIsTruncation() {
		CheckpointException e = assertThrows(CheckpointException.class,
			() -> RawTensor.view(counting(10), 8, new long[] { 3 }, new long[] { 1 }, "x.pth"));
		assertEquals("x.pth: storage data/k is truncated: needs 44 bytes, file has 40", e.getMessage());
	}

	@Test
	void malformedViewsAreRejected() {
		Storage s = counting(10);
		CheckpointException e = assertThrows(CheckpointException.class,
			() -> RawTensor.view(s, 0, new long[] { 2, 2 }, new long[] { 1 }, "x.pth"));
		assertEquals("x.pth: tensor on storage data/k has 2 sizes but 1 strides", e.getMessage());
		e = assertThrows(CheckpointException.class,
			() -> RawTensor.view(s, 9, new long[] { 2 }, new long[] { -1 }, "x.pth"));
		assertEquals("x.pth: tensor on storage data/k has size [2] and stride [-1]; negative values are not valid",
			e.getMessage());
	}

	/** shared.pth rewritten with root "archive", a {@code byteorder} entry saying big, and swapped floats. */
	@Test
	void bigEndianCheckpointsReadTheSame(@TempDir Path dir) throws IOException {
		Path little = Fixtures.path("pth/shared.pth");
		Path big = dir.resolve("big.pth");
		try (ZipFile in = new ZipFile(little.toFile()); OutputStream file = Files.newOutputStream(big);
			ZipOutputStream out = new ZipOutputStream(file))
		{
			for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements();) {
				ZipEntry entry = e.nextElement();
				byte[] bytes = in.getInputStream(entry).readAllBytes();
				String name = entry.getName().substring(entry.getName().indexOf('/') + 1);
				if (name.startsWith("data/")) bytes = swapEvery4(bytes);
				out.putNextEntry(new ZipEntry("archive/" + name));
				out.write(bytes);
			}
			out.putNextEntry(new ZipEntry("archive/byteorder"));
			out.write("big".getBytes(StandardCharsets.US_ASCII));
		}
		Map<?, ?> want = (Map<?, ?>) PthReader.read(little);
		Map<?, ?> got = (Map<?, ?>) PthReader.read(big);
		for (String key : new String[] { "a", "b" })
			assertArrayEquals(((RawTensor) want.get(key)).toFloats(), ((RawTensor) got.get(key)).toFloats(), key);
	}

	private static byte[] swapEvery4(byte[] bytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < bytes.length; i += 4)
			for (int j = 3; j >= 0; j--)
				out.write(bytes[i + j]);
		return out.toByteArray();
	}
}
