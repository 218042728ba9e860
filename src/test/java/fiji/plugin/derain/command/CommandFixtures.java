package fiji.plugin.derain.command;

import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.io.GtrainImport;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.predict.Derainer;
import fiji.plugin.derain.testutil.Fixtures;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;

import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

/**
 * Shared by the command tests and the ImageJ ITs: a real (tiny, ngf 4) GT-RAIN network imported from the
 * committed checkpoint fixture, seeded test images, the engine's own result to compare commands against,
 * and running a command through {@link CommandService} with named inputs.
 */
public final class CommandFixtures {
	private CommandFixtures() {}

	/** Imports {@code fixtures/import/gtrain_small_official.pth} into {@code folder} (a model folder). */
	public static Path importModel(Path folder) throws IOException {
		GtrainImport.importTo(Fixtures.path("import/gtrain_small_official.pth"), DerainConfig.Activation.LEAKY, folder,
			false);
		return folder;
	}

	/** An RGB image of smooth colour gradients plus seeded noise (so that deraining changes it visibly). */
	public static ColorProcessor rgb(int w, int h, long seed) {
		Random r = new Random(seed);
		ColorProcessor cp = new ColorProcessor(w, h);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int red = clamp(255 * x / w + r.nextInt(40) - 20), green = clamp(255 * y / h + r.nextInt(40) - 20);
				int blue = clamp(128 + r.nextInt(100) - 50);
				cp.set(x, y, (red << 16) | (green << 8) | blue);
			}
		return cp;
	}

	/** A stack of {@code n} RGB frames. */
	public static ImagePlus rgbStack(String title, int w, int h, int n, long seed) {
		ImageStack s = new ImageStack(w, h);
		for (int i = 0; i < n; i++)
			s.addSlice("frame " + (i + 1), rgb(w, h, seed + i));
		return new ImagePlus(title, s);
	}

	/** The engine's result for {@code imp}: what every command must reproduce. */
	public static ImagePlus engine(Path model, ImagePlus imp, int tile, int overlap) throws IOException {
		try (Derainer d = Derainer.open(model, DeviceChoice.CPU, s -> {})) {
			return d.derain(imp, new Derainer.Settings(tile, overlap, null), (a, b) -> {}, () -> false);
		}
	}

	/** Largest difference of any channel of any pixel of any slice, in 8-bit steps. */
	public static int maxRgbDifference(ImagePlus a, ImagePlus b) {
		if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight() || a.getStackSize() != b.getStackSize())
			throw new AssertionError("sizes differ: " + a + " vs " + b);
		int max = 0;
		for (int i = 1; i <= a.getStackSize(); i++) {
			ImageProcessor pa = a.getStack().getProcessor(i).convertToRGB(), pb = b.getStack().getProcessor(i).convertToRGB();
			for (int p = 0; p < pa.getPixelCount(); p++) {
				int ca = pa.get(p), cb = pb.get(p);
				for (int shift = 0; shift <= 16; shift += 8)
					max = Math.max(max, Math.abs(((ca >> shift) & 0xff) - ((cb >> shift) & 0xff)));
			}
		}
		return max;
	}

	/**
	 * Runs a command with pre- and post-processing, inputs given as name, value pairs.
	 *
	 * @throws Throwable the command's own exception (not the executor's wrapper)
	 */
	public static Map<String, Object> run(Context context, Class<? extends Command> command, Object... inputs)
		throws Throwable {
		try {
			Module m = context.service(CommandService.class).run(command, true, inputs).get();
			return m.getOutputs();
		} catch (ExecutionException e) {
			// ModuleRunner wraps what run() threw in a plain RuntimeException.
			Throwable t = e.getCause();
			while (t.getClass() == RuntimeException.class && t.getCause() != null)
				t = t.getCause();
			throw t;
		}
	}

	/** A {@link CommandSupport.Feedback} that shows nothing, never cancels and rethrows failures. */
	public static CommandSupport.Feedback silent() {
		return new CommandSupport.Feedback() {
			public void status(String message) {}

			public void progress(long done, long total) {}

			public void log(String line) {}

			public boolean cancelled() {
				return false;
			}

			public void fail(String command, Throwable error) {
				throw new AssertionError(command, error);
			}
		};
	}

	/**
	 * A folder to stop in the middle of: {@code dir/a-small.png} (32×32, done at once) and {@code dir/b-large.png}
	 * (2048×1536, seconds with the shipped model), {@link #rgb} images.
	 */
	public static Path smallThenLargePhotos(Path dir) throws IOException {
		ImageFiles.write(new ImagePlus("a", rgb(32, 32, 1)), dir.resolve("a-small.png"), ImageFiles.Format.PNG, false);
		ImageFiles.write(new ImagePlus("b", rgb(2048, 1536, 2)), dir.resolve("b-large.png"), ImageFiles.Format.PNG,
			false);
		return dir;
	}

	/**
	 * Training pairs for Train Derainer: {@code dir/clean/p<k>.png} ({@link #rgb} images) and
	 * {@code dir/rainy/p<k>.png} (heavy synthetic rain with seed k), {@code n} pairs of {@code size}×{@code size}.
	 */
	public static Path trainingPairs(Path dir, int n, int size) throws IOException {
		for (int k = 0; k < n; k++) {
			ImagePlus clean = new ImagePlus("p" + k, rgb(size, size, 100 + k));
			ImagePlus rainy = SynthesizeRainCommand.synthesize(clean, RainOptions.preset("heavy", k), false, silent())
				.rainy();
			ImageFiles.write(clean, dir.resolve("clean/p" + k + ".png"), ImageFiles.Format.PNG, false);
			ImageFiles.write(rainy, dir.resolve("rainy/p" + k + ".png"), ImageFiles.Format.PNG, false);
		}
		return dir;
	}

	private static int clamp(int v) {
		return Math.max(0, Math.min(255, v));
	}
}
