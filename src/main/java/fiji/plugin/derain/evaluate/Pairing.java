package fiji.plugin.derain.evaluate;

import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which prediction is scored against which reference. Files are matched by base name (extension ignored,
 * so {@code a.png} pairs with {@code a.jpg}): a derained PNG can be scored against its JPEG original.
 */
public final class Pairing {
	private Pairing() {}

	/** A prediction, its reference, the name shown in tables and the scene it belongs to ("" if none). */
	public record Pair(String name, String scene, Path prediction, Path reference) {}

	private static final Pattern GTRAIN_RAINY = Pattern.compile("^(.*)-R-(\\d+)$");

	/**
	 * File vs file, or folder vs folder matched by name. Predictions without a reference are an error that
	 * lists them (a typo in a folder name should not silently give a mean over nothing).
	 */
	public static List<Pair> byName(Path pred, Path ref) throws IOException {
		if (!Files.exists(pred)) throw new NoSuchFileException(pred.toString(), null, "prediction not found");
		if (!Files.exists(ref)) throw new NoSuchFileException(ref.toString(), null, "reference not found");
		if (!Files.isDirectory(pred) && !Files.isDirectory(ref))
			return List.of(new Pair(pred.getFileName().toString(), "", pred, ref));
		if (!Files.isDirectory(pred) || !Files.isDirectory(ref))
			throw new IllegalArgumentException("compare a file with a file or a folder with a folder; got "
				+ pred + " and " + ref);
		Map<String, Path> preds = images(pred), refs = images(ref);
		if (preds.isEmpty()) throw new IllegalArgumentException("no images in " + pred);
		List<Pair> pairs = new ArrayList<>();
		List<String> unmatched = new ArrayList<>();
		preds.forEach((base, p) -> {
			Path r = refs.get(base);
			if (r == null) unmatched.add(p.getFileName().toString());
			else pairs.add(new Pair(p.getFileName().toString(), "", p, r));
		});
		if (!unmatched.isEmpty())
			throw new IllegalArgumentException(unmatched.size() + " image(s) in " + pred + " have no reference of the same"
				+ " name in " + ref + ": " + String.join(", ", unmatched.subList(0, Math.min(10, unmatched.size())))
				+ (unmatched.size() > 10 ? ", ..." : ""));
		return pairs;
	}

	/**
	 * GT-RAIN scene folders: every {@code <scene>/<scene>-Webcam-R-NNN} prediction (in {@code pred} or
	 * {@code pred/<scene>}) against its scene's clean frame ({@code C-NNN} when the scene has one per rainy
	 * frame, else {@code C-000}) in {@code gtrainRoot/<scene>}.
	 */
	public static List<Pair> gtrainScenes(Path pred, Path gtrainRoot) throws IOException {
		if (!Files.isDirectory(gtrainRoot)) throw new NoSuchFileException(gtrainRoot.toString(), null, "not a folder");
		List<Pair> pairs = new ArrayList<>();
		List<Path> scenes;
		try (Stream<Path> s = Files.list(gtrainRoot)) {
			scenes = s.filter(Files::isDirectory).sorted().toList();
		}
		for (Path sceneDir : scenes) {
			String scene = sceneDir.getFileName().toString();
			Map<String, Path> files = images(sceneDir);
			Map<String, Path> preds = Files.isDirectory(pred.resolve(scene)) ? images(pred.resolve(scene)) : images(pred);
			for (Map.Entry<String, Path> e : files.entrySet()) {
				Matcher m = GTRAIN_RAINY.matcher(e.getKey());
				if (!m.matches()) continue;
				Path clean = files.getOrDefault(m.group(1) + "-C-" + m.group(2), files.get(m.group(1) + "-C-000"));
				if (clean == null)
					throw new IllegalArgumentException("scene " + sceneDir + " has no clean frame " + m.group(1) + "-C-000");
				Path p = preds.get(e.getKey());
				if (p == null)
					throw new IllegalArgumentException("no prediction for " + e.getValue().getFileName() + " in " + pred
						+ " (derain the scene first, keeping the file names)");
				pairs.add(new Pair(p.getFileName().toString(), scene, p, clean));
			}
		}
		if (pairs.isEmpty()) throw new IllegalArgumentException(gtrainRoot + " has no GT-RAIN scene folders with R frames");
		return pairs;
	}

	/** Image files of a folder by base name, sorted. */
	private static Map<String, Path> images(Path dir) throws IOException {
		Map<String, Path> m = new TreeMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			s.filter(Files::isRegularFile).filter(p -> ImageFiles.IMAGE_EXTENSIONS.contains(FileNames.extension(p)))
				.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(p -> m.put(FileNames.baseName(p), p));
		}
		return m;
	}
}
