package fiji.plugin.derain.train;

import fiji.plugin.derain.net.DerainNet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link DerainNet} as the trainer sees it. The network's arrays live in {@code manager}. Training passes use
 * gradient checkpointing of the residual blocks ({@link DerainNet#forwardCheckpointed}) unless told to record
 * the whole graph.
 */
final class DerainNetTrainable implements TrainableNet {
	private final DerainNet net;
	private final NDManager manager;
	private final boolean checkpointBlocks;

	DerainNetTrainable(DerainNet net, NDManager manager) {
		this(net, manager, true);
	}

	/** @param checkpointBlocks false: record the whole graph (more memory, no recomputation) */
	DerainNetTrainable(DerainNet net, NDManager manager, boolean checkpointBlocks) {
		this.net = net;
		this.manager = manager;
		this.checkpointBlocks = checkpointBlocks;
	}

	@Override
	public Pass forwardTraining(NDArray input, boolean training) {
		if (!checkpointBlocks) return TrainableNet.super.forwardTraining(input, training);
		DerainNet.CheckpointedPass pass = net.forwardCheckpointed(new ParameterStore(manager, false), input, training);
		return new Pass(pass.outputs(), pass::backward);
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
