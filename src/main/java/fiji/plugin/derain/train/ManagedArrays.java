package fiji.plugin.derain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Who owns an array: the two moves the optimizer's and the weight average's state need. */
final class ManagedArrays {
	private ManagedArrays() {}

	/** {@code a}, attached to {@code manager} (closed with it). */
	static NDArray in(NDManager manager, NDArray a) {
		a.attach(manager);
		return a;
	}

	/** A libtorch-owned copy of {@code a} in {@code manager} (not copyTo(): that would make a Java buffer). */
	static NDArray copy(NDArray a, NDManager manager) {
		NDArray moved = a.toDevice(manager.getDevice(), false);
		NDArray c = moved == a ? a.duplicate() : moved;
		c.attach(manager);
		return c;
	}
}
