package fiji.plugin.derain.io.pth;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The zip container of a {@code torch.save} checkpoint: {@code <root>/data.pkl} (the pickle),
 * {@code <root>/data/<key>} (one entry of raw bytes per storage), {@code <root>/version} and, from
 * PyTorch 2.1 on, {@code <root>/byteorder} (absent means little-endian). The root folder's name varies
 * ({@code archive}, the file's stem, ...). Entries are read into memory on demand, never extracted.
 */
final class PthArchive implements Closeable {
	private static final byte[] ZIP_MAGIC = { 'P', 'K' };
	/** What torch.save wrote before 1.6: a pickled magic number 0x1950a86a20f9469cfc6c (PROTO 2, LONG1 10). */
	private static final byte[] LEGACY_MAGIC = { (byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
		(byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19 };
	private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
	private static final String RESAVE = "re-save it with torch.save(obj, path) in a recent PyTorch";
	private static final String DAMAGED = "the file was damaged in transfer or on disk: download or copy it again";

	/** The checkpoint's path as given, for messages. */
	final String source;
	private final ZipFile zip;
	private final String root;
	private final ByteOrder order;
	private final Map<String, Storage> storages = new HashMap<>();

	private PthArchive(String source, ZipFile zip, String root, ByteOrder order) {
		this.source = source;
		this.zip = zip;
		this.root = root;
		this.order = order;
	}

	/**
	 * Opens {@code file} after checking that it is a zip checkpoint whose entry names all stay inside it.
	 *
	 * @throws CheckpointException for a non-zip, a legacy-format checkpoint, a zip without
	 *         {@code <root>/data.pkl}, or an entry name that is absolute or climbs out with {@code ..}
	 */
	static PthArchive open(Path file) throws IOException {
		String source = file.toString();
		checkMagic(file, source);
		ZipFile zip;
		try {
			zip = new ZipFile(file.toFile());
		} catch (ZipException e) {
			throw new CheckpointException(source + " is a damaged zip file (" + e.getMessage() + "); " + RESAVE, e);
		}
		try {
			String root = findRoot(zip, source);
			ByteOrder order = byteOrder(zip, root, source);
			return new PthArchive(source, zip, root, order);
		} catch (IOException | RuntimeException e) {
			zip.close();
			throw e;
		}
	}

	/** The bytes of {@code <root>/data.pkl}. */
	byte[] pickle() throws IOException {
		ZipEntry entry = zip.getEntry(root + "data.pkl");
		return readEntry(entry, entry.getSize());
	}

	/**
	 * The storage {@code key} as {@code numel} elements of {@code dtype}, read once and shared by all its views.
	 *
	 * @throws CheckpointException if the entry is missing, shorter than {@code numel} elements, or was
	 *         already named with another dtype
	 */
	Storage storage(String key, TorchDtype dtype, long numel) throws IOException {
		Storage known = storages.get(key);
		if (known != null) {
			if (known.dtype != dtype)
				throw new CheckpointException(source + ": storage data/" + key + " is used both as " + known.dtype.torchName
					+ " and as " + dtype.torchName + "; this reader does not reinterpret storages");
			return known;
		}
		if (!STORAGE_KEY.matcher(key).matches())
			throw new CheckpointException(source + " names a storage '" + key + "', which is not a valid storage key");
		String name = root + "data/" + key;
		ZipEntry entry = zip.getEntry(name);
		if (entry == null)
			throw new CheckpointException(source + " has no entry " + name + " although its pickle uses storage " + key);
		if (numel < 0) throw new CheckpointException(source + ": storage data/" + key + " has a negative size " + numel);
		long needed;
		try {
			needed = Math.multiplyExact(numel, (long) dtype.size);
		} catch (ArithmeticException e) {
			needed = Long.MAX_VALUE;
		}
		if (needed > entry.getSize())
			throw new CheckpointException(source + ": storage data/" + key + " is truncated: needs " + needed
				+ " bytes, file has " + entry.getSize());
		// the whole entry: views are checked against what the file really holds
		byte[] bytes = readEntry(entry, entry.getSize());
		Storage storage = new Storage(key, dtype, ByteBuffer.wrap(bytes).order(order).asReadOnlyBuffer().order(order));
		storages.put(key, storage);
		return storage;
	}

	@Override
	public void close() throws IOException {
		zip.close();
	}

	private static void checkMagic(Path file, String source) throws IOException {
		if (!Files.isRegularFile(file)) throw new CheckpointException(source + " does not exist or is not a file");
		byte[] head;
		try (InputStream in = Files.newInputStream(file)) {
			head = in.readNBytes(LEGACY_MAGIC.length);
		}
		if (startsWith(head, ZIP_MAGIC)) return;
		if (startsWith(head, LEGACY_MAGIC))
			throw new CheckpointException(source + " is a legacy PyTorch checkpoint (saved by torch < 1.6 or with"
				+ " _use_new_zipfile_serialization=False), which this reader does not read; " + RESAVE);
		throw new CheckpointException(source + " is not a PyTorch zip checkpoint; if it was saved by torch < 1.6 "
			+ RESAVE);
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
	}

	/** The folder holding data.pkl, with its trailing slash; rejects the whole file if any name escapes. */
	private static String findRoot(ZipFile zip, String source) throws CheckpointException {
		List<String> roots = new ArrayList<>();
		for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
			String name = e.nextElement().getName();
			if (escapes(name))
				throw new CheckpointException(source + " has an entry named '" + name
					+ "' that points outside the archive; refusing to read it");
			int slash = name.indexOf('/');
			if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) roots.add(name.substring(0, slash + 1));
		}
		if (roots.size() != 1)
			throw new CheckpointException(source + " is a zip file but not a PyTorch checkpoint: expected one"
				+ " <folder>/data.pkl entry, found " + roots.size());
		return roots.get(0);
	}

	/** True for absolute names, drive letters, backslashes and any {@code ..} segment. */
	private static boolean escapes(String name) {
		if (name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf(':') >= 0) return true;
		for (String segment : name.split("/"))
			if (segment.equals("..")) return true;
		return false;
	}

	private static ByteOrder byteOrder(ZipFile zip, String root, String source) throws IOException {
		ZipEntry entry = zip.getEntry(root + "byteorder");
		if (entry == null) return ByteOrder.LITTLE_ENDIAN;
		if (entry.getSize() > 16)
			throw new CheckpointException(source + " has an unknown byte order in " + root + "byteorder ("
				+ entry.getSize() + " bytes)");
		String text = new String(readEntry(zip, entry, entry.getSize(), source), StandardCharsets.US_ASCII).trim();
		if (text.equals("little")) return ByteOrder.LITTLE_ENDIAN;
		if (text.equals("big")) return ByteOrder.BIG_ENDIAN;
		throw new CheckpointException(source + " has an unknown byte order '" + text + "' in " + root + "byteorder");
	}

	/** Reads a whole entry of {@code length} bytes (at most 2 GB: one Java array) and checks its CRC-32. */
	private byte[] readEntry(ZipEntry entry, long length) throws IOException {
		return readEntry(zip, entry, length, source);
	}

	private static byte[] readEntry(ZipFile zip, ZipEntry entry, long length, String source) throws IOException {
		if (length < 0)
			throw new CheckpointException(source + ": entry " + entry.getName() + " does not record its size");
		if (length > Integer.MAX_VALUE - 8)
			throw new CheckpointException(source + ": entry " + entry.getName() + " has " + length
				+ " bytes, more than this reader can hold in one array (2 GB)");
		byte[] bytes;
		try (InputStream in = zip.getInputStream(entry)) {
			bytes = in.readNBytes((int) length);
		} catch (IOException e) { // a damaged compressed entry: ZipException, EOFException
			throw new CheckpointException(source + ": entry " + entry.getName() + " cannot be read"
				+ (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "; " + DAMAGED, e);
		}
		if (bytes.length < length)
			throw new CheckpointException(source + ": entry " + entry.getName() + " is truncated: needs " + length
				+ " bytes, file has " + bytes.length + "; " + DAMAGED);
		checkCrc(entry, bytes, source);
		return bytes;
	}

	/**
	 * Compares the CRC-32 the zip records for an entry with that of the bytes read. {@link ZipFile} does not: a
	 * stored (uncompressed) entry, which is how torch.save writes every tensor, reads back damaged bytes silently.
	 */
	private static void checkCrc(ZipEntry entry, byte[] bytes, String source) throws CheckpointException {
		if (entry.getCrc() == -1) return; // not recorded (never so in torch.save's zips)
		CRC32 crc = new CRC32();
		crc.update(bytes);
		if (crc.getValue() != entry.getCrc())
			throw new CheckpointException(String.format(Locale.ROOT,
				"%s is damaged: entry %s fails its CRC-32 check (recorded %08x, read %08x); %s", source, entry.getName(),
				entry.getCrc(), crc.getValue(), DAMAGED));
	}
}
