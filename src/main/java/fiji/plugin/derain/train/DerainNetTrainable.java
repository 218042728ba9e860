package fiji.plugin.derain.train;

import fiji.plugin.derain.net.DerainNet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@link DerainNet} as the trainer sees it. The network's arrays live in {@code manager}. */
final class DerainNetTrainable implements TrainableNet {
	private final DerainNet net;
	private final NDManager manager;

	DerainNetTrainable(DerainNet net, NDManager manager) {
		this.net = net;
		this.manager = manager;
	}

	@Override
	public NDList forward(NDList input, boolean training) {
		return net.forward(new ParameterStore(manager, false), input, training);
	}

	@Override
	public Map<String, NDArray> parameters() {
		Map<String, NDArray> out = new LinkedHashMap<>();
		net.trainableParameters().forEach((name, p) -> {
			NDArray a = p.getArray();
			if (!a.hasGradient()) a.setRequiresGradient(true);
			out.put(name, a);
		});
		return out;
	}

	@Override
	public Map<String, NDArray> stateDict() {
		return net.stateDict();
	}

	@Override
	public void loadStateDict(Map<String, NDArray> state) {
		net.loadStateDict(state);
	}
}
