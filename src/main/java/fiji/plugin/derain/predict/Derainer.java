package fiji.plugin.derain.predict;

import fiji.plugin.derain.engine.Autograd;
import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.engine.Engines;
import fiji.plugin.derain.io.FiniteValues;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.io.ModelFolder;
import fiji.plugin.derain.net.DerainNet;
import fiji.plugin.derain.net.TilePlacement;
import fiji.plugin.derain.tensor.ImageBridge;
import fiji.plugin.derain.tensor.BandedNetwork;
import fiji.plugin.derain.tensor.NetworkFunction;
import fiji.plugin.derain.tensor.Scaling;
import fiji.plugin.derain.tensor.TiledInference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The deraining engine: one loaded model on one device, applied to ImageJ images frame by frame with
 * memory-bounded tiles. The same object serves the Fiji commands, the ImageJ 1.x plugins, macros, the CLI and
 * tests. Not thread-safe: use one per thread. Close it to free the model's native memory.
 */
public final class Derainer implements AutoCloseable {

	/**
	 * How to run.
	 *
	 * @param tileSize tile side in pixels, or 0 for the whole image in one pass
	 * @param overlap context pixels per tile for instance-norm models (batch-norm ones run in exact bands)
	 * @param scaling raw-value mapping to [0, 1]; null = {@link Scaling#defaultFor} each image
	 */
	public record Settings(int tileSize, int overlap, Scaling scaling) {
		public static final Settings DEFAULT = new Settings(TiledInference.DEFAULT_TILE_SIZE,
			TiledInference.DEFAULT_OVERLAP, null);

		public Settings {
			if (tileSize != 0 && tileSize < TiledInference.DEFAULT_MIN_TILE_SIZE)
				throw new IllegalArgumentException("tile must be 0 (whole image) or at least "
					+ TiledInference.DEFAULT_MIN_TILE_SIZE + " pixels, got " + tileSize);
			if (overlap < 0) throw new IllegalArgumentException("overlap must be 0 or more pixels, got " + overlap);
		}
	}

	private final NDManager manager;
	private final DerainNet net;
	private final ModelDescriptor descriptor;
	private final Device device;
	private final Consumer<String> log;

	private Derainer(NDManager manager, DerainNet net, ModelDescriptor descriptor, Device device,
		Consumer<String> log) {
		this.manager = manager;
		this.net = net;
		this.descriptor = descriptor;
		this.device = device;
		this.log = log;
	}

	/**
	 * Loads a model folder onto the chosen device.
	 *
	 * @param log receives the device decision and notes such as out-of-memory retries
	 */
	public static Derainer open(Path modelFolder, DeviceChoice choice, Consumer<String> log) throws IOException {
		return Engines.withPluginClassLoader(() -> {
			Device device = Engines.select(choice, log);
			NDManager manager = Engines.newManager(device);
			try {
				ModelFolder.Loaded loaded = ModelFolder.load(modelFolder, manager);
				DerainNet net = DerainNet.load(loaded.descriptor().config(), manager, loaded.weights());
				loaded.weights().values().forEach(a -> a.close());
				return new Derainer(manager, net, loaded.descriptor(), device, log);
			} catch (IOException | RuntimeException e) {
				manager.close();
				throw e;
			}
		});
	}

	public ModelDescriptor descriptor() {
		return descriptor;
	}

	public Device device() {
		return device;
	}

	/**
	 * The network as a tile function: (1,3,h,w) in [-1,1] → (1,3,h,w) in (-1,1), eval mode.
	 *
	 * @throws NonFiniteOutput when an output holds NaN or infinite values (a broken model)
	 */
	public NetworkFunction network() {
		return new NetworkFunction() {
			@Override
			public NDArray apply(NDArray input) {
				return Autograd.unrecorded(() -> finite(net.forward(new ParameterStore(input.getManager(), false),
					new NDList(input), false).get(0)));
			}

			@Override
			public NDArray apply(NDArray input, long x0, long y0, long width, long height) {
				return Autograd.unrecorded(() -> finite(net.forwardTile(new ParameterStore(input.getManager(), false),
					input, new TilePlacement(x0, y0, width, height)).get(0)));
			}

			@Override
			public BandedNetwork banded() {
				BandedNetwork banded = net.banded();
				if (banded == null) return null;
				return (m, width, height, rows, input, output, progress, cancelled) -> Autograd.unrecorded(() -> {
					banded.run(m, width, height, rows, input, (band, y0) -> output.rows(finite(band), y0), progress,
						cancelled);
					return null;
				});
			}

		};
	}

	/** NaN would be written as black (integer images) or as NaN pixels, with no sign that anything went wrong. */
	private static NDArray finite(NDArray output) {
		if (FiniteValues.countNonFinite(output) > 0) throw new NonFiniteOutput();
		return output;
	}

	/** The network computed NaN or infinite values: its weights are broken, whatever the image. */
	public static final class NonFiniteOutput extends IllegalStateException {
		private static final long serialVersionUID = 1L;

		NonFiniteOutput() {
			super("the network's output holds NaN/Inf values: its weights are broken (damaged, or from a training run"
				+ " that diverged); use another model");
		}
	}

	/**
	 * Derains every frame of {@code imp} (stacks and hyperstacks frame by frame) into a new image of the same
	 * type, size and metadata, titled "&lt;title&gt;-derained".
	 *
	 * @param progress told (finished tiles, total tiles) over all frames
	 * @throws java.util.concurrent.CancellationException if {@code cancelled} turns true (checked per tile)
	 */
	public ImagePlus derain(ImagePlus imp, Settings settings, TiledInference.Progress progress,
		BooleanSupplier cancelled) {
		ImageBridge.checkSupported(imp);
		Scaling scaling = settings.scaling() != null ? settings.scaling() : Scaling.defaultFor(imp);
		ImagePlus out = ImageBridge.createOutput(imp, null);
		int frames = imp.getNSlices() * imp.getNFrames();
		int index = 0;
		for (int tt = 1; tt <= imp.getNFrames(); tt++)
			for (int zz = 1; zz <= imp.getNSlices(); zz++) {
				int frameIndex = index++, z = zz, t = tt;
				TiledInference tiler = tiler(settings,
					(done, total) -> progress.update(frameIndex * total + done, frames * total), cancelled);
				try {
					derainFrame(imp, out, z, t, scaling, tiler);
				} catch (NonFiniteOutput e) {
					throw new IllegalStateException("model '" + descriptor.name() + "' gave NaN/Inf values for image '"
						+ imp.getTitle() + "': its weights are broken (damaged, or from a training run that diverged);"
						+ " use another model", e);
				}
			}
		return out;
	}

	private static void derainFrame(ImagePlus imp, ImagePlus out, int z, int t, Scaling scaling, TiledInference tiler) {
		if (ImageBridge.isGrayscale(imp)) {
			// the network's three output channels are averaged back into one, so they need a float buffer
			Img<FloatType> buffer = ImageBridge.createRgbBuffer(imp.getWidth(), imp.getHeight());
			Engines.withPluginClassLoader(() -> tiler.run(ImageBridge.frame(imp, z, t, scaling), buffer));
			ImageBridge.writeFrame(buffer, out, z, t, scaling);
		} else {
			// colour: tiles are written straight into the output's pixels, no image-sized float copy
			Engines.withPluginClassLoader(
				() -> tiler.run(ImageBridge.frame(imp, z, t, scaling), ImageBridge.frame(out, z, t, scaling)));
		}
	}

	private TiledInference tiler(Settings s, TiledInference.Progress progress, BooleanSupplier cancelled) {
		TiledInference.Builder b = TiledInference.builder().setNetwork(network()).setManager(manager)
			.optProgress(progress).optLog(log).optCancelled(cancelled);
		if (s.tileSize() == 0) b.optWholeImage();
		else b.optTileSize(s.tileSize()).optOverlap(s.overlap());
		return b.build();
	}

	@Override
	public void close() {
		manager.close();
	}
}
