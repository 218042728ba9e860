package fiji.plugin.derain.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and streams, as 64 lowercase hex digits (the form model.json and provenance record). */
public final class Digests {
	private Digests() {}

	public static MessageDigest newSha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("this Java has no SHA-256", e); // every Java SE has it
		}
	}

	public static String hex(MessageDigest digest) {
		return HexFormat.of().formatHex(digest.digest());
	}

	public static String sha256(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			return sha256(in);
		}
	}

	/** Reads {@code in} to its end (does not close it). */
	public static String sha256(InputStream in) throws IOException {
		DigestInputStream digesting = new DigestInputStream(in, newSha256());
		digesting.transferTo(OutputStream.nullOutputStream());
		return hex(digesting.getMessageDigest());
	}
}
