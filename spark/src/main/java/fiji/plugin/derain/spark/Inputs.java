package fiji.plugin.derain.spark;

import fiji.plugin.derain.cli.Args;
import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.predict.DerainBatch;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The job's inputs, listed on the driver: each operand is a file, a folder (its image files, not sub-folders, as
 * {@code derain run}) or a glob, on any Hadoop file system. Hidden files ({@code .name}, {@code _name}) are left out
 * of folders. The result is sorted and has each file once.
 */
final class Inputs {
	private Inputs() {}

	/** One input file, as a qualified URI, and its reference image for scoring (null: none). */
	record Input(String uri, String reference) implements Serializable {
		String name() {
			return new Path(uri).getName();
		}
	}

	/** Qualified URIs of the input files, sorted, each once. */
	static List<String> list(List<String> operands, Configuration conf) throws IOException {
		TreeSet<String> files = new TreeSet<>();
		for (String operand : operands) {
			Path p = new Path(operand);
			FileSystem fs = p.getFileSystem(conf);
			FileStatus[] matches = fs.globStatus(p);
			if (matches == null || matches.length == 0)
				throw new Args.UsageException("derain-spark: input " + operand + " matches no file or folder");
			// a glob, like the shell's, leaves hidden files out; a file named as such is taken
			boolean glob = operand.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0);
			for (FileStatus m : matches) {
				if (m.isDirectory()) files.addAll(imagesIn(fs, m.getPath()));
				else if (!glob || !hidden(m.getPath().getName())) files.add(fs.makeQualified(m.getPath()).toString());
			}
		}
		if (files.isEmpty())
			throw new Args.UsageException("derain-spark: no image files in " + String.join(", ", operands));
		return new ArrayList<>(files);
	}

	/**
	 * Refuses, as {@code derain run} does, inputs whose outputs would share a name (the second would look done), and
	 * an output folder that is, or lies in, an input's folder.
	 */
	static void check(List<String> inputs, String out) {
		try {
			DerainBatch.refuseSharedOutputNames(inputs, in -> Paths.get(new Path(in).getName()));
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException("derain-spark: " + e.getMessage());
		}
		String outSlash = out.endsWith("/") ? out : out + "/";
		for (String in : inputs) {
			String folder = new Path(in).getParent().toString() + "/";
			if (outSlash.startsWith(folder)) throw new Args.UsageException("derain-spark: output folder " + out
				+ (outSlash.equals(folder) ? " is" : " is inside") + " the input folder " + folder
				+ "; choose another output folder");
		}
	}

	/** Pairs each input with the image of the same base name in {@code referenceFolder} (null: no reference). */
	static List<Input> withReferences(List<String> inputs, String referenceFolder, Configuration conf)
		throws IOException {
		Map<String, String> refs = new HashMap<>();
		if (referenceFolder != null) {
			Path dir = new Path(referenceFolder);
			FileSystem fs = dir.getFileSystem(conf);
			if (!fs.getFileStatus(dir).isDirectory())
				throw new Args.UsageException("derain-spark: --reference " + referenceFolder + " is not a folder");
			for (String r : imagesIn(fs, dir)) refs.put(FileNames.baseName(Paths.get(new Path(r).getName())), r);
		}
		List<Input> out = new ArrayList<>();
		for (String in : inputs)
			out.add(new Input(in, refs.get(FileNames.baseName(Paths.get(new Path(in).getName())))));
		return out;
	}

	/** Hadoop's and Spark's convention: {@code .name} and {@code _name} are not data. */
	private static boolean hidden(String name) {
		return name.startsWith(".") || name.startsWith("_");
	}

	private static List<String> imagesIn(FileSystem fs, Path dir) throws IOException {
		List<String> images = new ArrayList<>();
		for (FileStatus f : fs.listStatus(dir)) {
			String name = f.getPath().getName();
			if (f.isFile() && !hidden(name)
				&& ImageFiles.IMAGE_EXTENSIONS.contains(FileNames.extension(Paths.get(name))))
				images.add(fs.makeQualified(f.getPath()).toString());
		}
		return images;
	}
}
