// Scores a folder of derained images against a folder of clean references (matched by file name), or
// against a GT-RAIN split (mode=gtrain_scenes), with Plugins > Deraining > Evaluate PSNR/SSIM.
//
// Arguments (getArgument()):
//   prediction=DIR reference=DIR [mode=auto|folders|gtrain_scenes] [convention=standard|gtrain] [csv=FILE]
// An existing csv is replaced.
// e.g.  ImageJ -batch Evaluate_Folder.ijm "prediction=/data/derained reference=/data/clean csv=/data/scores.csv"
// Prints the mean PSNR and SSIM (the last row of the table).

args = getArgument();
prediction = call("ij.Macro.getValue", args, "prediction", "");
reference = call("ij.Macro.getValue", args, "reference", "");
if (prediction == "") prediction = getDirectory("Folder of derained images");
if (reference == "") reference = getDirectory("Folder of clean references");
csv = call("ij.Macro.getValue", args, "csv", "");
options = "prediction=[" + prediction + "] reference=[" + reference + "]"
	+ " mode=" + call("ij.Macro.getValue", args, "mode", "auto")
	+ " convention=" + call("ij.Macro.getValue", args, "convention", "standard")
	+ " csv=[" + csv + "]";
// Booleans as key=true|false: the form that means the same in Fiji and in plain ImageJ.
if (csv != "") options = options + " overwrite=true";
else options = options + " overwrite=false";
setBatchMode(true);
run("Evaluate PSNR/SSIM", options);
title = "Evaluate PSNR/SSIM";
last = Table.size(title) - 1;
print("mean PSNR " + d2s(Table.get("psnr", last, title), 4) + " dB, SSIM " + d2s(Table.get("ssim", last, title), 6)
	+ " over " + last + " image(s)");
