package fiji.plugin.derain.net;

import fiji.plugin.derain.engine.Autograd;
import fiji.plugin.derain.tensor.BandedNetwork;
import fiji.plugin.derain.tensor.NetworkFunction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The GT-RAIN Deformable-ResNet (DESIGN.md §1) as a DJL block.
 * <p>
 * Input NDList[x]: x (N, 3, H, W), RGB in [-1, 1], H and W multiples of 4. Output NDList[image, features]:
 * image (N, 3, H, W) in (−1, 1) (tanh; map back with y·0.5+0.5), features (N, 16·ngf) — the residual
 * output average-pooled to 2×2 and flattened (channel-major), for the rain-robust loss. Outputs are
 * attached to the input's manager; every intermediate array is freed before {@code forward} returns.
 * <p>
 * {@code training=false}: BatchNorm uses its running statistics. {@code training=true}: batch statistics,
 * running statistics updated in place (momentum 0.1, unbiased variance) and num_batches_tracked counted.
 * <p>
 * Typical use (the manager owns the weights and must stay open while the network is used):
 * <pre>
 * DerainNet net = DerainNet.create(config, manager);      // fresh weights per config.init()
 * net.loadStateDict(weights);                              // GT-RAIN names, see StateDictLayout
 * ParameterStore ps = new ParameterStore(manager, false);  // false: use the parameter arrays themselves
 * try (NDManager tile = manager.newSubManager()) {
 *     NDList out = net.forward(ps, new NDList(x), false);  // x attached to tile; outputs land in tile
 * }
 * // training step: net.zeroGradients(); try (GradientCollector gc = ...) { forward(ps, [x], true); gc.backward(loss); }
 * // then update net.trainableParameters() (offset/modulator ones: StateDictLayout.isOffsetOrModulator(name))
 * </pre>
 */
public final class DerainNet extends NetBlock {
	private final DerainConfig config;
	// children are package-private so that NetBenchmark can time each stage of a real network
	/** initial_conv.0: 7×7, 3 → ngf. */
	final ConvNormAct initialConv0;
	/** initial_conv.1: 3×3, ngf → ngf. */
	final ConvNormAct initialConv1;
	/** downsample_1: 3×3 stride 2, ngf → 2ngf. */
	final ConvNormAct downsample1;
	/** downsample_2: 3×3 stride 2, 2ngf → 4ngf. */
	final ConvNormAct downsample2;
	/** residual_blocks.i at 4ngf channels. */
	final List<DeformableResBlock> residualBlocks = new ArrayList<>();
	/** upsample_2: 4ngf → 2ngf, skip = downsample_1's output. */
	final DecoderBlock upsample2;
	/** upsample_1: 2ngf → ngf, skip = initial_conv's output. */
	final DecoderBlock upsample1;
	/** output_conv_naive: 3×3 with bias, ngf → 3, tanh. */
	final ConvNormAct outputConv;
	/** The tile being run by {@link #forwardTile} (null: inputs are whole images). */
	private TilePlacement placement;
	/** Every state tensor under its GT-RAIN name, in state-dict order. */
	private final Map<String, Parameter> state;

	private DerainNet(DerainConfig config) {
		this.config = config;
		int ngf = config.ngf();
		initialConv0 = addChildBlock("initial_conv_0", new ConvNormAct(3, ngf, 7, 1, config));
		initialConv1 = addChildBlock("initial_conv_1", new ConvNormAct(ngf, ngf, 3, 1, config));
		downsample1 = addChildBlock("downsample_1", new ConvNormAct(ngf, 2 * ngf, 3, 2, config));
		downsample2 = addChildBlock("downsample_2", new ConvNormAct(2 * ngf, 4 * ngf, 3, 2, config));
		for (int i = 0; i < config.nBlocks(); i++)
			residualBlocks.add(addChildBlock("residual_blocks_" + i, new DeformableResBlock(4 * ngf, config)));
		upsample2 = addChildBlock("upsample_2", new DecoderBlock(4 * ngf, 2 * ngf, config, () -> placement, 4));
		upsample1 = addChildBlock("upsample_1", new DecoderBlock(2 * ngf, ngf, config, () -> placement, 2));
		outputConv = addChildBlock("output_conv_naive", ConvNormAct.output(ngf, config));
		Map<String, Parameter> s = new LinkedHashMap<>();
		collectState("", s);
		state = Collections.unmodifiableMap(s);
	}

	/** A new, uninitialised network; call {@code initialize(manager, DataType.FLOAT32, new Shape(1, 3, h, w))}. */
	public static DerainNet build(DerainConfig config) {
		return new DerainNet(config);
	}

	/**
	 * A network with fresh weights (the config's init) in {@code manager}, which owns them: keep it open
	 * while the network is used.
	 */
	public static DerainNet create(DerainConfig config, NDManager manager) {
		DerainNet net = build(config);
		net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
		return net;
	}

	/**
	 * A network holding {@code weights} (GT-RAIN names, checked as {@link #loadStateDict} does) in {@code manager}.
	 * The conv weights start as zeros rather than random draws that the weights replace at once (drawing them was
	 * ~0.15 s of the full-size model's load).
	 */
	public static DerainNet load(DerainConfig config, NDManager manager, Map<String, NDArray> weights) {
		DerainNet net = build(config);
		for (Parameter p : net.state.values())
			if (p.getType() == Parameter.Type.WEIGHT) p.setInitializer(Initializer.ZEROS);
		net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
		net.loadStateDict(weights);
		return net;
	}

	public DerainConfig config() {
		return config;
	}

	/** Initialises the layers; with {@code init identity}, then sets the identity paths ({@link IdentityInit}). */
	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		super.initializeChildBlocks(manager, dataType, inputShapes);
		if (config.init() == DerainConfig.Init.IDENTITY) IdentityInit.apply(this, manager);
	}

	@Override
	protected NDList forwardScoped(NDManager scope, ParameterStore ps, NDList inputs, boolean training) {
		NDArray x = inputs.singletonOrThrow();
		checkInput(x.getShape());
		Encoded e = encode(ps, x, training);
		NDArray r = e.deepest;
		for (DeformableResBlock block : residualBlocks) r = block.forward(ps, new NDList(r), training).singletonOrThrow();
		return decode(ps, r, e, training);
	}

	/** The encoder's outputs: the skips of the two decoder stages and the input of the residual blocks. */
	private record Encoded(NDArray full, NDArray half, NDArray deepest) {}

	private Encoded encode(ParameterStore ps, NDArray x, boolean training) {
		NDArray x0 = initialConv1.forward(ps, initialConv0.forward(ps, x, training), training);
		NDArray x1 = downsample1.forward(ps, x0, training);
		return new Encoded(x0, x1, downsample2.forward(ps, x1, training));
	}

	/** [image, features] from the residual blocks' output {@code r}. */
	private NDList decode(ParameterStore ps, NDArray r, Encoded e, boolean training) {
		NDArray features = pool2x2(r);
		NDList y = upsample2.forward(ps, new NDList(r, e.half), training);
		y = upsample1.forward(ps, new NDList(y.singletonOrThrow(), e.full), training);
		return new NDList(outputConv.forward(ps, y, training).singletonOrThrow(), features);
	}

	/**
	 * A training forward pass with gradient checkpointing of the residual blocks, for memory that does not grow
	 * with the number of blocks: autograd keeps every gathered column of every deformable conv, which is most of a
	 * step's memory. The encoder and the decoder are recorded as usual; the residual blocks run without recording,
	 * keeping only each block's input. {@link CheckpointedPass#backward} first back-propagates the loss to the
	 * blocks' output, then, from the last block to the first, recomputes each block from its input and
	 * back-propagates through it one deformable conv at a time ({@link DeformableResBlock#backward}: same input,
	 * same weights, same batch statistics, so the same values bit for bit), and finally back-propagates into the
	 * encoder. Autograd thus holds the encoder, and then either the decoder or one deformable conv. BatchNorm's running
	 * statistics and counter are updated once, by the first pass (as PyTorch does once per step); the replays leave
	 * them alone. Outputs and everything kept for backward live in the manager of {@code x}.
	 *
	 * @param x (N, 3, H, W) in [-1, 1], H and W multiples of 4; call inside a gradient collector
	 * @param training BatchNorm in training mode (false: frozen BatchNorm, running statistics)
	 */
	public CheckpointedPass forwardCheckpointed(ParameterStore ps, NDArray x, boolean training) {
		checkInput(x.getShape());
		Encoded e = encode(ps, x, training);
		NDArray[] blockInputs = new NDArray[residualBlocks.size() + 1];
		Autograd.unrecorded(() -> {
			NDArray r = e.deepest.stopGradient();
			for (int i = 0; i < residualBlocks.size(); i++) {
				blockInputs[i] = r;
				r = residualBlocks.get(i).forward(ps, new NDList(r), training).singletonOrThrow();
			}
			return blockInputs[residualBlocks.size()] = r;
		});
		// the decoder starts from leaves, so that the loss's backward stops at them and leaves their gradients: the
		// encoder is then back-propagated once, with the skips' and the blocks' gradients together
		Encoded cut = new Encoded(Recompute.leaf(e.full), Recompute.leaf(e.half),
			Recompute.leaf(blockInputs[residualBlocks.size()]));
		NDList outputs = decode(ps, cut.deepest, cut, training);
		return new CheckpointedPass(outputs, (collector, loss) -> {
			collector.backward(loss);
			NDArray upstream = cut.deepest.getGradient();
			for (int i = residualBlocks.size() - 1; i >= 0; i--) {
				NDArray below = residualBlocks.get(i).backward(collector, ps, blockInputs[i], upstream, training);
				upstream.close();
				upstream = below;
			}
			try (NDArray blocks = upstream; NDArray full = cut.full.getGradient(); NDArray half = cut.half.getGradient()) {
				collector.backward(e.full.mul(full).sum().add(e.half.mul(half).sum()).add(e.deepest.mul(blocks).sum()));
			}
		});
	}

	/** The recorded part of {@link #forwardCheckpointed} and how to finish its backward pass. */
	public record CheckpointedPass(NDList outputs, BiConsumer<GradientCollector, NDArray> backward) {
		/** Adds d loss / d parameter to every parameter's gradient; call once, inside the forward's collector. */
		public void backward(GradientCollector collector, NDArray loss) {
			backward.accept(collector, loss);
		}
	}

	/**
	 * Eval-mode forward of one tile of a larger image: as {@code forward(ps, [x], false)}, but the align_corners
	 * upsampling samples the whole image's grid (see {@link TilePlacement}), so overlapping tiles reproduce the
	 * whole-image result. Not thread-safe (one network, one tile at a time).
	 */
	public NDList forwardTile(ParameterStore ps, NDArray x, TilePlacement tile) {
		placement = tile;
		try {
			return forward(ps, new NDList(x), false);
		} finally {
			placement = null;
		}
	}

	/**
	 * The network over a whole image in row bands, exact for any weights ({@link BandedForward}), or null for instance
	 * norm, whose statistics are the whole image's.
	 */
	public BandedNetwork banded() {
		return config.norm() == DerainConfig.Norm.BATCH ? new BandedForward(this) : null;
	}

	/** An eval-mode decoder stage on a band of rows at {@code tile} (its align_corners grid is the whole image's). */
	NDArray decoderStage(DecoderBlock stage, ParameterStore ps, NDArray x, NDArray skip, TilePlacement tile) {
		placement = tile;
		try {
			return stage.forward(ps, new NDList(x, skip), false).singletonOrThrow();
		} finally {
			placement = null;
		}
	}

	private static void checkInput(Shape s) {
		if (s.dimension() != 4 || s.get(1) != 3)
			throw new IllegalArgumentException("DerainNet input must be (N, 3, H, W) RGB, got shape " + s);
		if (s.get(2) % 4 != 0 || s.get(3) % 4 != 0)
			throw new IllegalArgumentException("DerainNet input height and width must be multiples of 4 (two "
				+ "stride-2 downsamplings), got " + s.get(2) + "x" + s.get(3) + ": crop or pad the image first");
	}

	/**
	 * PyTorch's {@code adaptive_avg_pool2d(r, 2).flatten(1)}: bin i of n rows covers [⌊i·n/2⌋, ⌈(i+1)·n/2⌉),
	 * so odd sizes share their middle row/column. (N, C, h, w) → (N, 4C), index c·4 + 2·row + col.
	 */
	static NDArray pool2x2(NDArray r) {
		Shape s = r.getShape();
		long h = s.get(2), w = s.get(3);
		NDList cells = new NDList();
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 2; j++)
				cells.add(r.get(new NDIndex(":, :, {}:{}, {}:{}", i * h / 2, ((i + 1) * h + 1) / 2, j * w / 2,
					((j + 1) * w + 1) / 2)).mean(new int[] {3}).mean(new int[] {2}));
		return NDArrays.stack(cells, 2).reshape(s.get(0), 4 * s.get(1));
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape s = inputShapes[0];
		return new Shape[] {new Shape(s.get(0), 3, s.get(2), s.get(3)), new Shape(s.get(0), 16L * config.ngf())};
	}

	@Override
	void collectState(String prefix, Map<String, Parameter> out) {
		initialConv0.collectState(prefix + "initial_conv.0.conv", out);
		initialConv1.collectState(prefix + "initial_conv.1.conv", out);
		downsample1.collectState(prefix + "downsample_1.conv", out);
		downsample2.collectState(prefix + "downsample_2.conv", out);
		for (int i = 0; i < residualBlocks.size(); i++)
			residualBlocks.get(i).collectState(prefix + "residual_blocks." + i, out);
		upsample2.collectState(prefix + "upsample_2", out);
		upsample1.collectState(prefix + "upsample_1", out);
		outputConv.collectState(prefix + "output_conv_naive", out);
	}

	/**
	 * The state tensors under GT-RAIN's names ({@link StateDictLayout} order): the live arrays of the
	 * network (not copies; owned by the manager the network was initialised in — do not close them).
	 * num_batches_tracked is an int64 scalar.
	 */
	public Map<String, NDArray> stateDict() {
		requireInitialized();
		Map<String, NDArray> out = new LinkedHashMap<>();
		state.forEach((name, p) -> out.put(name, p.getArray()));
		return out;
	}

	private void requireInitialized() {
		for (Parameter p : state.values())
			if (!p.isInitialized())
				throw new IllegalStateException("DerainNet is not initialised: call initialize(manager, DataType.FLOAT32, "
					+ "new Shape(1, 3, h, w)) first");
	}

	/**
	 * Trainable parameters (weights and biases, no running statistics) by state-dict name, for an optimiser.
	 * {@link StateDictLayout#isOffsetOrModulator(String)} tells the offset/modulator ones (trained at lr/10).
	 */
	public Map<String, Parameter> trainableParameters() {
		Map<String, Parameter> out = new LinkedHashMap<>();
		state.forEach((name, p) -> {
			if (StateDictLayout.isTrainable(name)) out.put(name, p);
		});
		return out;
	}

	/**
	 * Sets the gradients of all trainable parameters to zero. Gradients accumulate over backward passes
	 * (PyTorch semantics) and DJL's {@code GradientCollector} only zeroes arrays of its system manager, so a
	 * training loop calls this before each step.
	 */
	public void zeroGradients() {
		for (Parameter p : trainableParameters().values()) {
			NDArray a = p.getArray();
			if (a != null && a.hasGradient()) JniUtils.zeroGrad((PtNDArray) a);
		}
	}

	/**
	 * Copies {@code weights} (GT-RAIN names, without {@code resnet.}/{@code module.} prefixes) into the
	 * network's arrays, converting the data type if needed. Names and shapes must match
	 * {@link StateDictLayout#of} for this network's config exactly; otherwise nothing is copied and the
	 * exception lists the missing and unexpected keys, or names the key and both shapes.
	 */
	public void loadStateDict(Map<String, NDArray> weights) {
		requireInitialized();
		Map<String, long[]> shapes = new LinkedHashMap<>();
		weights.forEach((name, a) -> shapes.put(name, a.getShape().getShape()));
		StateDictLayout.verify(config, shapes, "the state dict");
		copyState(state, weights);
	}
}
