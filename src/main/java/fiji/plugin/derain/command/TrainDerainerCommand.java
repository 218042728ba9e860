package fiji.plugin.derain.command;

import fiji.plugin.derain.train.PairDataset;
import fiji.plugin.derain.train.TrainConfig;
import fiji.plugin.derain.train.TrainOptions;
import fiji.plugin.derain.train.TrainingRun;

import ij.measure.ResultsTable;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * <i>Plugins › Deraining › Train Derainer</i>: trains a GT-RAIN network on pairs of rainy and clean images into a
 * model folder that <i>Derain Image</i> and <i>Derain Folder</i> accept ({@code model=folder
 * model_folder=<output>}). The engine is {@link TrainingRun}: the output folder gets the best model by validation
 * PSNR, a resumable {@code checkpoint/} after every epoch and {@value TrainingRun#LOG}.
 * <p>
 * Macro keys (Fiji and ImageJ 1.x alike; {@code ij1.Train_Derainer} runs the same {@link #train}); the
 * training keys are those of {@code derain train} with underscores ({@link TrainOptions}):
 * <ul>
 * <li>{@code data}: {@code folder_pairs} ({@code rainy} and {@code clean} folders whose images match by name,
 * e.g. made by <i>Synthesize Rain</i>) | {@code gtrain} ({@code gtrain}: a GT-RAIN split folder of scenes);</li>
 * <li>{@code output}: the model folder to create; {@code resume}: continue the run saved there (its training
 * parameters then come from the checkpoint and the values below are not used);</li>
 * <li>{@code epochs} (20), {@code batch} (8: pairs per step, each from another scene), {@code patch} (256; at
 * least 161 unless {@code ssim_weight=0}), {@code lr} (2e-4), {@code min_lr} (empty = 1e-6), {@code
 * warmup_epochs} (empty = 4, fewer than the epochs), {@code steps_per_epoch} (0 = one pass over the pairs), {@code
 * ngf} (64), {@code blocks} (9), {@code activation} (leaky | mish), {@code norm} (batch | instance), {@code init}
 * (normal | kaiming | xavier | identity: the untrained network returns its input; with freeze_bn), the loss
 * weights {@code ssim_weight} (1: MS-SSIM), {@code l1_weight} (0.1), {@code robust_weight} (0.1: GT-RAIN's
 * rain-robust loss), {@code psnr_weight} (0: the batch's mean PSNR, subtracted) and {@code harm_weight} (0: the
 * mean dB by which outputs are worse than their inputs), {@code ema_decay} (0: the model keeps a moving average
 * of the weights with this decay per step instead of the last step's), the augmentation {@code
 * rain_probability} (0.6) and {@code rotation_std} (13 degrees), {@code seed} (0), {@code val_fraction} (0.1 of
 * the scenes held out to pick the best model), {@code bn_batches} (0), {@code freeze_bn}, {@code device} (auto |
 * cpu | gpu).</li>
 * </ul>
 * Esc (or a SciJava cancel) stops after the current step with a resumable checkpoint: run again with
 * {@code resume} to continue exactly where it stopped. Results: the output folder's path ({@code model}) and the
 * epoch log as a table ({@code log}, columns as in {@value TrainingRun#LOG}). With a screen (not in batch mode),
 * live plots show the training loss per step and the validation PSNR per epoch.
 * <p>
 * Inputs are not persisted: a key left out of a macro means its default, never the value of an earlier run.
 */
@Plugin(type = Command.class, menuPath = TrainDerainerCommand.MENU_PATH, label = TrainDerainerCommand.LABEL)
public class TrainDerainerCommand extends FeedbackCommand {

	public static final String LABEL = "Train Derainer";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;
	public static final String[] DATA = { "folder_pairs", "gtrain" };

	/** Where the pairs are: {@code data} and the folders it uses (see the class comment). */
	public record Data(String data, File rainy, File clean, File gtrain) {
		/** Lists and pairs the images; messages name the key to fix. */
		public PairDataset open() throws IOException {
			String kind = data == null || data.isBlank() ? DATA[0] : data.trim().toLowerCase(Locale.ROOT);
			if (kind.equals("gtrain")) return PairDataset.gtRain(folder(gtrain, "gtrain", "a GT-RAIN folder of scenes"));
			if (!kind.equals("folder_pairs"))
				throw new IllegalArgumentException("data: unknown kind '" + data + "'; use folder_pairs | gtrain");
			return PairDataset.folderPairs(folder(rainy, "rainy", "the folder of rainy images"),
				folder(clean, "clean", "the folder of clean images with the same names"));
		}

		private static Path folder(File f, String key, String what) {
			if (f == null || f.getPath().isBlank()) throw new IllegalArgumentException(key + ": choose " + what);
			if (!f.isDirectory()) throw new IllegalArgumentException(key + ": " + f + " is not a folder");
			return f.toPath();
		}
	}

	/**
	 * What a run left: the model folder, its epoch log, and whether it was cancelled (then the folder holds a
	 * resumable checkpoint, and a model only if an epoch had finished).
	 */
	public record Trained(Path folder, ResultsTable log, boolean cancelled) {}

	/**
	 * The parameters of a run as {@link #train} takes them: the data, {@code output}, {@code resume},
	 * {@code init_model} and the training keys (see the class comment).
	 */
	public record Request(Data data, File output, boolean resume, String initModel, Map<String, String> options) {}

	@Parameter(persist = false, label = "Training data", choices = { "folder_pairs", "gtrain" })
	private String data = DATA[0];

	@Parameter(persist = false, required = false, label = "Rainy folder", style = FileWidget.DIRECTORY_STYLE)
	private File rainy;

	@Parameter(persist = false, required = false, label = "Clean folder", style = FileWidget.DIRECTORY_STYLE)
	private File clean;

	@Parameter(persist = false, required = false, label = "GT-RAIN folder", style = FileWidget.DIRECTORY_STYLE)
	private File gtrain;

	@Parameter(persist = false, required = false, label = "Output (model folder)", style = FileWidget.DIRECTORY_STYLE)
	private File output;

	@Parameter(persist = false, label = "Resume the run in the output folder")
	private boolean resume;

	@Parameter(persist = false, required = false, label = "Fine-tune from model",
		description = "empty = fresh weights; 'default', an installed model's name or a model folder")
	private String init_model = "";

	@Parameter(persist = false, label = "Epochs", min = "1")
	private int epochs = TrainConfig.defaults().epochs();

	@Parameter(persist = false, label = "Batch size", min = "1")
	private int batch = TrainConfig.defaults().batchSize();

	@Parameter(persist = false, label = "Patch size (px)", min = "4", description = "a multiple of 4; at least 161 "
		+ "unless the MS-SSIM weight is 0")
	private int patch = TrainConfig.defaults().patchSize();

	@Parameter(persist = false, label = "Learning rate", style = "format:0.0#####")
	private double lr = TrainConfig.defaults().learningRate();

	@Parameter(persist = false, required = false, label = "Final learning rate",
		description = "what the cosine decay reaches at the last step; empty = 1e-6 (at most the learning rate)")
	private String min_lr = "";

	@Parameter(persist = false, required = false, label = "Warm-up epochs",
		description = "epochs of linear warm-up; empty = 4 (fewer than the epochs)")
	private String warmup_epochs = "";

	@Parameter(persist = false, label = "Steps per epoch", min = "0", description = "0 = one pass over the pairs")
	private int steps_per_epoch = TrainConfig.defaults().stepsPerEpoch();

	@Parameter(persist = false, label = "Base channels (ngf)", min = "1")
	private int ngf = TrainConfig.defaults().net().ngf();

	@Parameter(persist = false, label = "Residual blocks", min = "0")
	private int blocks = TrainConfig.defaults().net().nBlocks();

	@Parameter(persist = false, label = "Activation", choices = { "leaky", "mish" })
	private String activation = TrainConfig.defaults().net().activation().id();

	@Parameter(persist = false, label = "Normalization", choices = { "batch", "instance" })
	private String norm = TrainConfig.defaults().net().norm().id();

	@Parameter(persist = false, label = "Initialisation", choices = { "normal", "kaiming", "xavier", "identity" },
		description = "fresh weights; identity: the untrained network returns its input (ngf >= 24, leaky, batch "
			+ "norm; train it with frozen BatchNorm)")
	private String init = TrainConfig.defaults().net().init().id();

	@Parameter(persist = false, label = "MS-SSIM loss weight", min = "0")
	private double ssim_weight = TrainConfig.defaults().ssimWeight();

	@Parameter(persist = false, label = "L1 loss weight", min = "0")
	private double l1_weight = TrainConfig.defaults().l1Weight();

	@Parameter(persist = false, label = "Rain-robust loss weight", min = "0",
		description = "GT-RAIN's contrastive loss on the features of rainy and clean images; needs batch >= 2")
	private double robust_weight = TrainConfig.defaults().robustWeight();

	@Parameter(persist = false, label = "PSNR loss weight", min = "0",
		description = "subtracts this times the batch's mean PSNR (dB) from the loss: errors on nearly clean inputs "
			+ "cost as a per-image PSNR counts them (not in GT-RAIN; 0 = off)")
	private double psnr_weight = TrainConfig.defaults().psnrWeight();

	@Parameter(persist = false, label = "Harm loss weight", min = "0",
		description = "adds this times the mean dB by which outputs are worse than their rainy inputs: a penalty only "
			+ "where the network makes an image worse (not in GT-RAIN; 0 = off)")
	private double harm_weight = TrainConfig.defaults().harmWeight();

	@Parameter(persist = false, label = "Weight average decay", min = "0", max = "0.9999",
		description = "the model keeps an exponential moving average of the weights, this decay per step (e.g. 0.999: "
			+ "about the last 1,000 steps), steadier than the last step's weights (not in GT-RAIN; 0 = off)")
	private double ema_decay = TrainConfig.defaults().emaDecay();

	@Parameter(persist = false, label = "Frames per scene in a batch", min = "1",
		description = "a batch holds this many rainy frames of each of its scenes, cut at one place, so that light and "
			+ "heavy rain on the same content meet in one step (divides batch; needs robust_weight 0; 1 = GT-RAIN)")
	private int scene_frames = TrainConfig.defaults().sceneFrames();

	@Parameter(persist = false, label = "Synthetic rain probability", min = "0", max = "1",
		description = "chance that a training patch gets an extra synthetic rain layer")
	private double rain_probability = TrainConfig.defaults().rainProbability();

	@Parameter(persist = false, label = "Rotation (std, degrees)", min = "0", max = "90",
		description = "standard deviation of the random rotation of training patches; 0 = none")
	private double rotation_std = TrainConfig.defaults().rotationStdDegrees();

	@Parameter(persist = false, label = "Seed")
	private long seed = TrainConfig.defaults().seed();

	@Parameter(persist = false, label = "Validation fraction (of scenes)", min = "0", max = "0.99")
	private double val_fraction = TrainConfig.defaults().valFraction();

	@Parameter(persist = false, label = "BatchNorm recalibration batches", min = "0",
		description = "each epoch, BatchNorm statistics become the average over this many training batches before "
			+ "validation (0 = GT-RAIN's running averages)")
	private int bn_batches = TrainConfig.defaults().bnBatches();

	@Parameter(persist = false, label = "Freeze BatchNorm statistics (fine-tuning)",
		description = "BatchNorm normalises with the running statistics of the starting model, which stay fixed, "
			+ "so the model is trained as it is run (needs bn_batches = 0)")
	private boolean freeze_bn = TrainConfig.defaults().freezeBatchNorm();

	@Parameter(persist = false, label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	@Parameter(type = ItemIO.OUTPUT, label = "Model folder")
	private String model;

	@Parameter(type = ItemIO.OUTPUT, label = "Training log")
	private ResultsTable log;

	@Override
	String label() {
		return LABEL;
	}

	@Override
	void execute(CommandSupport.Feedback feedback) throws Exception {
		Request r = request();
		Trained t = train(r.data(), r.output(), r.resume(), r.initModel(), r.options(), feedback);
		model = t.folder().toString();
		log = t.log();
	}

	/** The parameters as set by the dialog or a macro. */
	public Request request() {
		return new Request(new Data(data, file(rainy), file(clean), file(gtrain)), file(output), resume, init_model,
			options("epochs", epochs, "batch", batch, "patch", patch, "lr", lr, "min_lr", min_lr, "warmup_epochs",
				warmup_epochs, "steps_per_epoch", steps_per_epoch, "ngf", ngf, "blocks", blocks, "activation", activation,
				"norm", norm, "init", init, "ssim_weight", ssim_weight, "l1_weight", l1_weight, "robust_weight", robust_weight,
				"psnr_weight", psnr_weight, "harm_weight", harm_weight, "ema_decay", ema_decay, "scene_frames", scene_frames,
				"rain_probability", rain_probability, "rotation_std", rotation_std, "seed",
				seed, "val_fraction", val_fraction, "bn_batches", bn_batches, "freeze_bn", freeze_bn, "device", device));
	}

	/** Training options as {@link TrainOptions} reads them, from key, value pairs. */
	public static Map<String, String> options(Object... keyValues) {
		Map<String, String> m = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2)
			m.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
		return m;
	}

	/**
	 * Trains (or resumes) into {@code output}, reporting progress with an ETA, one log line per epoch and, with a
	 * screen, live plots. A cancel is not an error: it is logged with how to resume and the result says so.
	 *
	 * @param options training keys of {@link TrainOptions#KEYS} (others are refused); ignored when resuming
	 * @throws IllegalArgumentException naming the parameter to fix, before any training
	 */
	public static Trained train(Data data, File output, boolean resume, String initModel, Map<String, String> options,
		CommandSupport.Feedback feedback) throws IOException {
		if (output == null || output.getPath().isBlank())
			throw new IllegalArgumentException("output: choose a folder for the trained model");
		for (String key : options.keySet())
			if (!TrainOptions.KEYS.contains(key))
				throw new IllegalArgumentException("unknown training parameter '" + key + "'; known: " + TrainOptions.KEYS);
		Path out = output.toPath();
		TrainConfig config;
		if (resume) {
			config = TrainOptions.fromCheckpoint(out);
			feedback.log(LABEL + ": resuming " + out + " with the training parameters saved in its checkpoint");
		} else config = TrainOptions.fromOptions(options::get);
		TrainOptions.Start start = resume ? new TrainOptions.Start(config, null) : TrainOptions.fineTune(config, initModel);
		config = start.config();
		PairDataset pairs = data.open();
		TrainingMonitor monitor = new TrainingMonitor(LABEL, feedback, config.epochs(), out.getFileName().toString(),
			TrainingMonitor.canPlot());
		long t0 = System.nanoTime();
		boolean cancelled = false;
		try {
			TrainingRun.run(config, pairs, out, resume, start.initModel(), monitor, feedback::cancelled);
			feedback.log(String.format(Locale.ROOT, "%s: model saved in %s (%s)", LABEL, out,
				TrainingMonitor.duration((System.nanoTime() - t0) / 1e9)));
			feedback.status(LABEL + ": done, model in " + out);
		} catch (CancellationException e) {
			cancelled = true;
			String message = LABEL + ": " + e.getMessage() + "; to continue, run " + LABEL + " again with the same output"
				+ " and resume=true";
			feedback.log(message);
			feedback.status(LABEL + ": cancelled; resume with resume=true");
		} finally {
			monitor.finish();
			feedback.progress(1, 1);
		}
		ResultsTable table = ReportTables.trainingLog(out.resolve(TrainingRun.LOG));
		if (table.size() > 0) CommandSupport.show(table, LABEL + " log");
		return new Trained(out, table, cancelled);
	}
}
