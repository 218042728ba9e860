// Trains a derainer on pairs of rainy and clean images with Plugins > Deraining > Train Derainer, then prints
// the validation scores of the model it saved. The output folder becomes a model folder for Derain Image /
// Derain Folder (model=folder model_folder=OUTPUT). Pairs can come from Synthesize_Rain.ijm.
// An interrupted run (Esc, a crash) continues with the same arguments plus "resume" (or resume=true).
//
// Arguments (getArgument(), macro-style keys; [brackets] around paths with spaces):
//   rainy=DIR clean=DIR output=DIR   (or data=gtrain gtrain=DIR output=DIR)
//   [epochs=20] [batch=8] [patch=256] [lr=0.0002] [min_lr=1e-6] [warmup_epochs=4] [steps_per_epoch=0]
//   [ngf=64] [blocks=9] [activation=leaky|mish] [norm=batch|instance] [init=normal|kaiming|xavier|identity]
//   [ssim_weight=1] [l1_weight=0.1]
//   [robust_weight=0.1] [psnr_weight=0] [harm_weight=0] [ema_decay=0] [scene_frames=1] [rain_probability=0.6] [rotation_std=13] [seed=0] [val_fraction=0.1]
//   [bn_batches=0] [device=auto|cpu|gpu] [init_model=MODEL] [freeze_bn] [resume]
// Flags ([freeze_bn], [resume]) are a bare word or word=true|false.
// Fine-tuning: init_model=default (or a model folder) starts from that model's weights; with freeze_bn its
// BatchNorm statistics stay fixed and the model is trained as it is run (how models/default was made).
// init=identity (with ngf of at least 24 and freeze_bn) starts from a network that returns its input.
// e.g.  ImageJ -batch Train_Derainer.ijm "rainy=/data/pairs/rainy clean=/data/pairs/clean output=/models/mine epochs=5"
// Patches smaller than 161 px need ssim_weight=0 (MS-SSIM works on 5 scales).

args = getArgument();
data = value(args, "data", "folder_pairs");
rainy = value(args, "rainy", "");
clean = value(args, "clean", "");
output = value(args, "output", "");
if (data == "folder_pairs" && rainy == "") rainy = getDirectory("Folder of rainy images");
if (data == "folder_pairs" && clean == "") clean = getDirectory("Folder of the clean images (same names)");
if (output == "") output = getDirectory("Folder for the trained model");
options = "data=" + data + " rainy=[" + rainy + "] clean=[" + clean + "]"
	+ " gtrain=[" + value(args, "gtrain", "") + "] output=[" + output + "]"
	+ " epochs=" + value(args, "epochs", "20")
	+ " batch=" + value(args, "batch", "8")
	+ " patch=" + value(args, "patch", "256")
	+ " lr=" + value(args, "lr", "0.0002")
	+ " min_lr=[" + value(args, "min_lr", "") + "]"
	+ " warmup_epochs=[" + value(args, "warmup_epochs", "") + "]"
	+ " steps_per_epoch=" + value(args, "steps_per_epoch", "0")
	+ " ngf=" + value(args, "ngf", "64")
	+ " blocks=" + value(args, "blocks", "9")
	+ " activation=" + value(args, "activation", "leaky")
	+ " norm=" + value(args, "norm", "batch")
	+ " init=" + value(args, "init", "normal")
	+ " ssim_weight=" + value(args, "ssim_weight", "1")
	+ " l1_weight=" + value(args, "l1_weight", "0.1")
	+ " robust_weight=" + value(args, "robust_weight", "0.1")
	+ " psnr_weight=" + value(args, "psnr_weight", "0")
	+ " harm_weight=" + value(args, "harm_weight", "0")
	+ " ema_decay=" + value(args, "ema_decay", "0")
	+ " scene_frames=" + value(args, "scene_frames", "1")
	+ " rain_probability=" + value(args, "rain_probability", "0.6")
	+ " rotation_std=" + value(args, "rotation_std", "13")
	+ " seed=" + value(args, "seed", "0")
	+ " val_fraction=" + value(args, "val_fraction", "0.1")
	+ " bn_batches=" + value(args, "bn_batches", "0")
	+ " init_model=[" + value(args, "init_model", "") + "]"
	+ " device=" + value(args, "device", "auto")
	+ " " + flag(args, "freeze_bn") + " " + flag(args, "resume");
setBatchMode(true);
run("Train Derainer", options);
descriptor = output + File.separator + "model.json";
if (!File.exists(descriptor)) exit("Train Derainer: no model in " + output + " (cancelled before the first epoch?)");
// The descriptor's "metrics" object holds the best epoch's validation scores.
json = File.openAsString(descriptor);
i = indexOf(json, "\"metrics\"");
metrics = substring(json, i, indexOf(json, "}", i) + 1);
metrics = replace(metrics, "[\\s\"]", "");
print("Train Derainer: model in " + output + " " + metrics);

// The value of key in a macro options string (ImageJ's own parser), or def.
function value(options, key, def) {
	return call("ij.Macro.getValue", options, key, def);
}

// "key=true" or "key=false", as args set the flag key: a bare word or key=true|false (passed on explicitly, the
// form that means the same in Fiji and in plain ImageJ).
function flag(args, key) {
	v = call("ij.Macro.getValue", args, key, "");
	if (v == "") {
		v = "false";
		if (indexOf(" " + args + " ", " " + key + " ") >= 0) v = "true";
	}
	return key + "=" + v;
}
