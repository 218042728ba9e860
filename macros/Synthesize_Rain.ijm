// Makes training pairs from a folder of clean photos with Plugins > Deraining > Synthesize Rain:
// OUTPUT/rainy/<name>.png, OUTPUT/clean/<name>.png and OUTPUT/layers/<name>.png, ready for Train_Derainer.ijm
// (rainy=OUTPUT/rainy clean=OUTPUT/clean). Re-running skips finished files; the rain is reproducible per seed.
//
// Arguments (getArgument(), macro-style keys; [brackets] around paths with spaces):
//   input=DIR output=DIR [preset=light|medium|heavy|storm] [seed=0] [max_size=0]
//   [density=N] [length=PX] [angle=DEG] [width=PX] [brightness=B] [motion_blur=PX] [defocus=PX]
//   [transmission=T] [atmospheric_light=A] [absolute_size] [overwrite]
// Rain values left out take the preset's. Flags ([absolute_size], [overwrite]) are a bare word or word=true|false.
// e.g.  ImageJ -batch Synthesize_Rain.ijm "input=/data/photos output=/data/pairs preset=heavy max_size=1024"

args = getArgument();
input = value(args, "input", "");
output = value(args, "output", "");
if (input == "") input = getDirectory("Folder of clean photos");
if (output == "") output = getDirectory("Folder for the rainy/clean pairs");
options = "source=folder input=[" + input + "] output=[" + output + "]"
	+ " preset=" + value(args, "preset", "medium")
	+ " seed=" + value(args, "seed", "0")
	+ " max_size=" + value(args, "max_size", "0");
keys = newArray("density", "length", "angle", "width", "brightness", "motion_blur", "defocus", "transmission",
	"atmospheric_light");
for (k = 0; k < keys.length; k++)
	options = options + " " + keys[k] + "=[" + value(args, keys[k], "") + "]";
options = options + " " + flag(args, "absolute_size") + " " + flag(args, "overwrite") + " layer=false";
setBatchMode(true);
run("Synthesize Rain", options);
print("Synthesize Rain: " + input + " -> " + output);

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
