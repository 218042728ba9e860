// Derains every image of a folder into another folder with Plugins > Deraining > Derain Folder.
// Re-running skips finished files, so an interrupted batch resumes; a bad file is reported and skipped.
//
// Arguments (getArgument(), macro-style keys; [brackets] around paths with spaces):
//   input=DIR output=DIR [model=default|NAME|folder] [model_folder=DIR] [pattern=*.png] [recursive]
//   [format=auto|png|tiff|jpeg] [tile=512] [overlap=96] [device=auto|cpu|gpu] [overwrite] [allow_output_in_input]
// Flags ([recursive], ...) are a bare word or word=true|false.
// e.g.  ImageJ -batch Derain_Folder.ijm "input=/data/rainy output=/data/derained"
// Without arguments (run from the menu) it asks for the two folders.

args = getArgument();
input = value(args, "input", "");
output = value(args, "output", "");
if (input == "") input = getDirectory("Folder of rainy images");
if (output == "") output = getDirectory("Folder for the derained images");
options = "input=[" + input + "] output=[" + output + "]"
	+ " pattern=[" + value(args, "pattern", "") + "]"
	+ " format=" + value(args, "format", "auto")
	+ " model=[" + value(args, "model", "default") + "]"
	+ " model_folder=[" + value(args, "model_folder", "") + "]"
	+ " tile=" + value(args, "tile", "512")
	+ " overlap=" + value(args, "overlap", "96")
	+ " device=" + value(args, "device", "auto")
	+ " " + flag(args, "recursive") + " " + flag(args, "overwrite") + " " + flag(args, "allow_output_in_input");
setBatchMode(true);
run("Derain Folder", options);
print("Derain Folder: " + input + " -> " + output);

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
