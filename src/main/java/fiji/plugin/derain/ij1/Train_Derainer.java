package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.command.TrainDerainerCommand;
import fiji.plugin.derain.engine.DeviceChoice;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.train.TrainConfig;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/** ImageJ 1.x entry of {@link TrainDerainerCommand}: the same keys and the same {@link TrainDerainerCommand#train}. */
public class Train_Derainer extends DerainPlugIn<TrainDerainerCommand.Request> {

	@Override
	String label() {
		return TrainDerainerCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
		TrainConfig d = TrainConfig.defaults();
		gd.addChoice("Data", TrainDerainerCommand.DATA, TrainDerainerCommand.DATA[0]);
		gd.addDirectoryField("Rainy folder", "", 30);
		gd.addDirectoryField("Clean folder", "", 30);
		gd.addDirectoryField("Gtrain folder (GT-RAIN scenes)", "", 30);
		gd.addDirectoryField("Output (model folder)", "", 30);
		gd.addCheckbox("Resume the run in the output folder", false);
		gd.addStringField("Init_model (fine-tune from; empty = fresh)", "", 20);
		gd.addNumericField("Epochs", d.epochs(), 0, 6, null);
		gd.addNumericField("Batch", d.batchSize(), 0, 6, "pairs per step");
		gd.addNumericField("Patch", d.patchSize(), 0, 6, "px (>= 161 unless ssim_weight = 0)");
		gd.addStringField("Lr (learning rate)", Double.toString(d.learningRate()), 8);
		gd.addStringField("Min_lr (final learning rate; empty = 1e-6)", "", 8);
		gd.addStringField("Warmup_epochs (empty = 4)", "", 8);
		gd.addNumericField("Steps_per_epoch", d.stepsPerEpoch(), 0, 6, "(0 = one pass over the pairs)");
		gd.addNumericField("Ngf", d.net().ngf(), 0, 6, "base channels");
		gd.addNumericField("Blocks", d.net().nBlocks(), 0, 6, "residual blocks");
		gd.addChoice("Activation", ids(DerainConfig.Activation.values()), d.net().activation().id());
		gd.addChoice("Norm", ids(DerainConfig.Norm.values()), d.net().norm().id());
		gd.addChoice("Init", ids(DerainConfig.Init.values()), d.net().init().id());
		gd.addNumericField("Ssim_weight", d.ssimWeight(), 2, 6, "(MS-SSIM loss)");
		gd.addNumericField("L1_weight", d.l1Weight(), 2, 6, "(L1 loss)");
		gd.addNumericField("Robust_weight", d.robustWeight(), 2, 6, "(rain-robust loss; needs batch >= 2)");
		gd.addNumericField("Psnr_weight", d.psnrWeight(), 3, 6, "(mean PSNR, subtracted; 0 = off)");
		gd.addNumericField("Harm_weight", d.harmWeight(), 3, 6, "(dB worse than the input; 0 = off)");
		gd.addNumericField("Ema_decay", d.emaDecay(), 4, 6, "(moving average of the weights; 0 = off)");
		gd.addNumericField("Scene_frames", d.sceneFrames(), 0, 6, "(frames of a scene per batch, one crop)");
		gd.addNumericField("Rain_probability", d.rainProbability(), 2, 6, "(extra synthetic rain layer)");
		gd.addNumericField("Rotation_std", d.rotationStdDegrees(), 1, 6, "degrees (0 = no rotation)");
		gd.addStringField("Seed", Long.toString(d.seed()), 8);
		gd.addNumericField("Val_fraction", d.valFraction(), 2, 6, "of the scenes");
		gd.addNumericField("Bn_batches", d.bnBatches(), 0, 6, "(BatchNorm recalibration; 0 = off)");
		gd.addCheckbox("Freeze_bn (fixed BatchNorm statistics, for fine-tuning)", d.freezeBatchNorm());
		gd.addChoice("Device", DeviceChoice.ids(), DeviceChoice.AUTO.id());
	}

	@Override
	TrainDerainerCommand.Request read(DialogFields gd) {
		TrainDerainerCommand.Data data = new TrainDerainerCommand.Data(gd.getNextChoice(),
			DerainDialogs.file(gd.getNextString()), DerainDialogs.file(gd.getNextString()),
			DerainDialogs.file(gd.getNextString()));
		java.io.File output = DerainDialogs.file(gd.getNextString());
		boolean resume = gd.getNextBoolean();
		String initModel = gd.getNextString();
		// Values go to TrainOptions as text, as in the CLI: its messages name the key of a bad value.
		return new TrainDerainerCommand.Request(data, output, resume, initModel, TrainDerainerCommand.options(
			"epochs", text(gd.getNextNumber()), "batch", text(gd.getNextNumber()),
			"patch", text(gd.getNextNumber()), "lr", gd.getNextString(), "min_lr", gd.getNextString(),
			"warmup_epochs", gd.getNextString(), "steps_per_epoch", text(gd.getNextNumber()),
			"ngf", text(gd.getNextNumber()), "blocks", text(gd.getNextNumber()), "activation", gd.getNextChoice(),
			"norm", gd.getNextChoice(), "init", gd.getNextChoice(), "ssim_weight", text(gd.getNextNumber()), "l1_weight", text(gd.getNextNumber()),
			"robust_weight", text(gd.getNextNumber()), "psnr_weight", text(gd.getNextNumber()),
			"harm_weight", text(gd.getNextNumber()), "ema_decay", text(gd.getNextNumber()), "scene_frames", text(gd.getNextNumber()),
			"rain_probability", text(gd.getNextNumber()), "rotation_std", text(gd.getNextNumber()),
			"seed", gd.getNextString(), "val_fraction", text(gd.getNextNumber()),
			"bn_batches", text(gd.getNextNumber()), "freeze_bn", Boolean.toString(gd.getNextBoolean()),
			"device", gd.getNextChoice()));
	}

	@Override
	void run(TrainDerainerCommand.Request r, CommandSupport.Feedback feedback) throws IOException {
		TrainDerainerCommand.train(r.data(), r.output(), r.resume(), r.initModel(), r.options(), feedback);
	}

	/** A dialog number as TrainOptions reads it: whole numbers without ".0" (so "epochs" parses). */
	private static String text(double value) {
		return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
			: Double.toString(value);
	}

	private static String[] ids(Enum<?>[] values) {
		return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
	}
}
