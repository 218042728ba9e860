// Derains every frame of a stack (or hyperstack) with Plugins > Deraining > Derain Image and saves the result
// as a TIFF stack.
//
// Arguments (getArgument()):
//   input=FILE output=FILE [model=default|NAME|folder] [model_folder=DIR] [tile=512] [overlap=96] [device=auto]
// e.g.  ImageJ -batch Derain_Stack.ijm "input=/data/rainy.tif output=/data/derained.tif"
// Without input, the current image is derained (and output defaults to <title>-derained.tif next to it).

args = getArgument();
input = call("ij.Macro.getValue", args, "input", "");
setBatchMode(true);
if (input != "") open(input);
if (nImages == 0) exit("Derain Stack: open a stack or pass input=FILE");
output = call("ij.Macro.getValue", args, "output", "");
if (output == "") output = getDirectory("image") + getTitle() + "-derained.tif";
rainy = getImageID();
run("Derain Image", "model=[" + call("ij.Macro.getValue", args, "model", "default") + "]"
	+ " model_folder=[" + call("ij.Macro.getValue", args, "model_folder", "") + "]"
	+ " tile=" + call("ij.Macro.getValue", args, "tile", "512")
	+ " overlap=" + call("ij.Macro.getValue", args, "overlap", "96")
	+ " device=" + call("ij.Macro.getValue", args, "device", "auto"));
if (getImageID() == rainy) exit("Derain Stack: Derain Image gave no result");
saveAs("Tiff", output);
print("Derain Stack: " + nSlices + " frame(s) -> " + output);
