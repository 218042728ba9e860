package fiji.plugin.derain.io.pth;

import java.nio.ByteBuffer;

/**
 * One typed storage of a checkpoint: the bytes of {@code <root>/data/<key>}, read into memory, seen as
 * elements of {@code dtype}. Several tensors may view one storage. The buffer is read-only and has the
 * checkpoint's byte order.
 */
final class Storage {
	final String key;
	final TorchDtype dtype;
	private final ByteBuffer data;

	Storage(String key, TorchDtype dtype, ByteBuffer data) {
		this.key = key;
		this.dtype = dtype;
		this.data = data;
	}

	/** A view for reading with absolute gets; positions are never moved, so views may be shared. */
	ByteBuffer data() {
		return data;
	}
}
