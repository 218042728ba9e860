package fiji.plugin.derain.testutil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** Finds the entries of a zip file in its raw bytes, to damage them on purpose (CRC and fuzz tests). */
public final class ZipBytes {
	private ZipBytes() {}

	private static final int LOCAL_HEADER = 0x04034b50;

	/** One entry as it lies in the file: where its local header and its data start. */
	public record Entry(String name, int header, int data, int compressedSize) {}

	/** The entries, in file order, read off their local headers. */
	public static List<Entry> entries(byte[] zip) {
		List<Entry> entries = new ArrayList<>();
		for (int i = 0; i + 30 <= zip.length; i++) {
			if (u32(zip, i) != LOCAL_HEADER) continue;
			int nameLength = u16(zip, i + 26), extraLength = u16(zip, i + 28);
			if (i + 30 + nameLength > zip.length) continue;
			String name = new String(zip, i + 30, nameLength, StandardCharsets.UTF_8);
			entries.add(new Entry(name, i, i + 30 + nameLength + extraLength, (int) u32(zip, i + 18)));
		}
		return entries;
	}

	/** The entry whose name ends with {@code suffix}. */
	public static Entry entry(byte[] zip, String suffix) {
		return entries(zip).stream().filter(e -> e.name().endsWith(suffix)).findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no zip entry *" + suffix));
	}

	/**
	 * Overwrites bytes of an entry's (stored) data and records the new CRC-32 wherever the zip keeps it (central
	 * directory, local header, data descriptor), so that the file is a valid zip with different content.
	 */
	public static void patch(byte[] zip, String suffix, int offset, byte[] replacement) {
		Entry e = entry(zip, suffix);
		int size = centralSize(zip, e.name());
		if (offset < 0 || offset + replacement.length > size) throw new IllegalArgumentException("patch outside " + e.name());
		long old = crcOf(zip, e.data(), size);
		System.arraycopy(replacement, 0, zip, e.data() + offset, replacement.length);
		long crc = crcOf(zip, e.data(), size);
		for (int i = 0; i + 4 <= zip.length; i++)
			if (u32(zip, i) == old && (i == e.header() + 14 || i == e.data() + size || i == e.data() + size + 4
				|| isCentralCrcOf(zip, i, e.name())))
				put32(zip, i, crc);
	}

	/** A float32 value's little-endian bytes. */
	public static byte[] float32(float v) {
		int bits = Float.floatToRawIntBits(v);
		return new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)};
	}

	private static final int CENTRAL_HEADER = 0x02014b50;

	private static boolean isCentralCrcOf(byte[] zip, int crcAt, String name) {
		int h = crcAt - 16;
		return h >= 0 && u32(zip, h) == CENTRAL_HEADER && name.equals(centralName(zip, h));
	}

	private static String centralName(byte[] zip, int h) {
		return new String(zip, h + 46, u16(zip, h + 28), StandardCharsets.UTF_8);
	}

	private static int centralSize(byte[] zip, String name) {
		for (int h = 0; h + 46 <= zip.length; h++)
			if (u32(zip, h) == CENTRAL_HEADER && name.equals(centralName(zip, h))) return (int) u32(zip, h + 20);
		throw new IllegalArgumentException("no central directory record for " + name);
	}

	private static long crcOf(byte[] b, int from, int length) {
		CRC32 crc = new CRC32();
		crc.update(b, from, length);
		return crc.getValue();
	}

	private static void put32(byte[] b, int i, long v) {
		for (int k = 0; k < 4; k++)
			b[i + k] = (byte) (v >> (8 * k));
	}

	private static int u16(byte[] b, int i) {
		return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
	}

	private static long u32(byte[] b, int i) {
		return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
	}
}
