package fiji.plugin.derain.testutil;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * Hand-built PNG files of every colour type and bit depth (javax.imageio writes only some), and forged ones: a
 * header claiming any size over a few rows of data.
 */
public final class PngBytes {
	private PngBytes() {}

	public static final int GRAY = 0, RGB = 2, PALETTE = 3, GRAY_ALPHA = 4, RGBA = 6;

	/** Samples per pixel of a PNG colour type. */
	public static int channels(int colourType) {
		return switch (colourType) {
			case GRAY, PALETTE -> 1;
			case GRAY_ALPHA -> 2;
			case RGB -> 3;
			case RGBA -> 4;
			default -> throw new IllegalArgumentException("colour type " + colourType);
		};
	}

	/**
	 * A w × h PNG whose sample {@code c} of pixel (x, y) is {@code sample.at(x, y, c)} (masked to the bit depth);
	 * palette images get {@code palette} (packed RGB) as PLTE.
	 */
	public static byte[] png(int w, int h, int colourType, int bitDepth, int[] palette, Sample sample) throws IOException {
		int channels = channels(colourType);
		ByteArrayOutputStream raw = new ByteArrayOutputStream();
		long max = (1L << bitDepth) - 1;
		for (int y = 0; y < h; y++) {
			raw.write(0); // filter: none
			BitWriter bits = new BitWriter(raw);
			for (int x = 0; x < w; x++)
				for (int c = 0; c < channels; c++) bits.write(sample.at(x, y, c) & max, bitDepth);
			bits.flush();
		}
		ByteArrayOutputStream deflated = new ByteArrayOutputStream();
		try (DeflaterOutputStream z = new DeflaterOutputStream(deflated)) {
			z.write(raw.toByteArray());
		}
		return assemble(w, h, colourType, bitDepth, palette, deflated.toByteArray());
	}

	/** A PNG whose header claims w × h 8-bit gray pixels, followed by only a few rows of zeros (a few hundred bytes). */
	public static byte[] forgedSize(int w, int h) throws IOException {
		ByteArrayOutputStream deflated = new ByteArrayOutputStream();
		try (DeflaterOutputStream z = new DeflaterOutputStream(deflated)) {
			z.write(new byte[Math.min(w + 1, 1 << 16) * 4]);
		}
		return assemble(w, h, GRAY, 8, null, deflated.toByteArray());
	}

	/** The value of sample {@code c} of pixel (x, y). */
	@FunctionalInterface
	public interface Sample {
		long at(int x, int y, int c);
	}

	private static byte[] assemble(int w, int h, int colourType, int bitDepth, int[] palette, byte[] idat)
		throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' });
		ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
		DataOutputStream d = new DataOutputStream(ihdr);
		d.writeInt(w);
		d.writeInt(h);
		d.writeByte(bitDepth);
		d.writeByte(colourType);
		d.writeByte(0);
		d.writeByte(0);
		d.writeByte(0);
		chunk(out, "IHDR", ihdr.toByteArray());
		if (palette != null) {
			byte[] plte = new byte[palette.length * 3];
			for (int i = 0; i < palette.length; i++) {
				plte[3 * i] = (byte) (palette[i] >> 16);
				plte[3 * i + 1] = (byte) (palette[i] >> 8);
				plte[3 * i + 2] = (byte) palette[i];
			}
			chunk(out, "PLTE", plte);
		}
		chunk(out, "IDAT", idat);
		chunk(out, "IEND", new byte[0]);
		return out.toByteArray();
	}

	private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
		DataOutputStream d = new DataOutputStream(out);
		d.writeInt(data.length);
		byte[] t = type.getBytes(StandardCharsets.US_ASCII);
		d.write(t);
		d.write(data);
		CRC32 crc = new CRC32();
		crc.update(t);
		crc.update(data);
		d.writeInt((int) crc.getValue());
	}

	/** Packs samples of 1 to 16 bits, most significant first, as PNG rows do. */
	private static final class BitWriter {
		private final ByteArrayOutputStream out;
		private int buffer, count;

		BitWriter(ByteArrayOutputStream out) {
			this.out = out;
		}

		void write(long value, int bits) {
			if (bits == 16) {
				out.write((int) (value >> 8));
				out.write((int) value);
				return;
			}
			buffer = buffer << bits | (int) value;
			count += bits;
			if (count == 8) flush();
		}

		void flush() {
			if (count == 0) return;
			out.write(buffer << (8 - count));
			buffer = 0;
			count = 0;
		}
	}
}
