package fiji.plugin.derain.train;

import fiji.plugin.derain.io.FileNames;
import fiji.plugin.derain.io.ImageFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A list of (rainy, clean) file pairs grouped by scene. Only file names are held; images are read on demand
 * ({@link RgbImage#read}). Pairs are sorted by scene then rainy file name, so a dataset built from the same
 * folders is always the same list, whatever order the file system lists them in.
 */
public final class PairDataset {
	/** Rainy frame {@code <anything>-R-<number>.<ext>} and clean frame {@code ...-C-<number>.<ext>} of GT-RAIN. */
	private static final Pattern GTRAIN_FRAME = Pattern.compile("(?i)^(.*)-([RC])-(\\d+)\\.([a-z]+)$");
	private static final int LISTED = 10;

	private final String description;
	private final List<ImagePair> pairs;
	private final Map<String, List<ImagePair>> byScene;

	/** A dataset of the given pairs (sorted by scene, then rainy file name). */
	public PairDataset(String description, List<ImagePair> pairs) {
		this.description = description;
		List<ImagePair> sorted = new ArrayList<>(pairs);
		sorted.sort((a, b) -> {
			int c = a.scene().compareTo(b.scene());
			return c != 0 ? c : a.rainy().getFileName().toString().compareTo(b.rainy().getFileName().toString());
		});
		this.pairs = Collections.unmodifiableList(sorted);
		Map<String, List<ImagePair>> scenes = new LinkedHashMap<>();
		for (ImagePair p : sorted) scenes.computeIfAbsent(p.scene(), k -> new ArrayList<>()).add(p);
		scenes.replaceAll((k, v) -> Collections.unmodifiableList(v));
		this.byScene = Collections.unmodifiableMap(scenes);
	}

	/** Where the pairs came from, for messages. */
	public String description() {
		return description;
	}

	public List<ImagePair> pairs() {
		return pairs;
	}

	public int size() {
		return pairs.size();
	}

	/** Scene ids in sorted order. */
	public List<String> scenes() {
		return List.copyOf(byScene.keySet());
	}

	/** The pairs of one scene (sorted by rainy file name). */
	public List<ImagePair> pairsOf(String scene) {
		List<ImagePair> p = byScene.get(scene);
		if (p == null) throw new IllegalArgumentException("no scene " + scene + " in " + description);
		return p;
	}

	/** Training and validation parts of a dataset; no scene is in both. */
	public record Split(PairDataset train, PairDataset validation) {}

	/**
	 * Holds out whole scenes for validation: the sorted scene ids are shuffled (Fisher–Yates) with a
	 * {@link TrainRandom} seeded by {@code seed}, and the first {@code round(fraction · scenes)} go to validation
	 * — at least one when {@code fraction > 0}, and never all (training keeps at least one scene).
	 *
	 * @param fraction in [0, 1); 0 gives an empty validation set
	 */
	public Split split(double fraction, long seed) {
		if (!(fraction >= 0 && fraction < 1))
			throw new IllegalArgumentException("val_fraction must be in [0, 1), got " + fraction);
		List<String> scenes = new ArrayList<>(byScene.keySet());
		TrainRandom rng = new TrainRandom(seed);
		for (int i = scenes.size() - 1; i > 0; i--) Collections.swap(scenes, i, rng.nextInt(i + 1));
		int nVal = (int) Math.round(fraction * scenes.size());
		if (fraction > 0) nVal = Math.max(1, nVal);
		nVal = Math.min(nVal, scenes.size() - 1);
		List<ImagePair> train = new ArrayList<>(), val = new ArrayList<>();
		for (int i = 0; i < scenes.size(); i++) (i < nVal ? val : train).addAll(byScene.get(scenes.get(i)));
		return new Split(new PairDataset(description + " (training scenes)", train),
			new PairDataset(description + " (validation scenes)", val));
	}

	/**
	 * Folder pairs: every image in {@code rainyDir} with the image of the same base name (extension ignored, so
	 * {@code a.jpg} pairs with {@code a.png}) in {@code cleanDir}. Each pair is its own scene (its base name):
	 * file names alone cannot tell which frames show the same place, and a shared prefix such as
	 * {@code rain-001}, {@code rain-002} usually does not mean one scene. For several frames per scene use the
	 * GT-RAIN layout ({@link #gtRain}). Hidden files and non-images are ignored.
	 *
	 * @throws IllegalArgumentException naming both folders and up to 10 unmatched or ambiguous names
	 */
	public static PairDataset folderPairs(Path rainyDir, Path cleanDir) throws IOException {
		Map<String, Path> rainy = imagesByBaseName(rainyDir), clean = imagesByBaseName(cleanDir);
		List<String> noClean = new ArrayList<>(), noRainy = new ArrayList<>();
		List<ImagePair> pairs = new ArrayList<>();
		for (Map.Entry<String, Path> e : rainy.entrySet()) {
			Path c = clean.get(e.getKey());
			if (c == null) noClean.add(e.getValue().getFileName().toString());
			else pairs.add(new ImagePair(e.getKey(), e.getValue(), c));
		}
		for (Map.Entry<String, Path> e : clean.entrySet())
			if (!rainy.containsKey(e.getKey())) noRainy.add(e.getValue().getFileName().toString());
		if (!noClean.isEmpty() || !noRainy.isEmpty())
			throw new IllegalArgumentException("rainy folder " + rainyDir + " and clean folder " + cleanDir
				+ " must hold images of the same names: "
				+ (noClean.isEmpty() ? "" : noClean.size() + " rainy without a clean image " + listed(noClean))
				+ (noClean.isEmpty() || noRainy.isEmpty() ? "" : "; ")
				+ (noRainy.isEmpty() ? "" : noRainy.size() + " clean without a rainy image " + listed(noRainy)));
		if (pairs.isEmpty())
			throw new IllegalArgumentException("no images in rainy folder " + rainyDir + " and clean folder " + cleanDir
				+ " (looked for " + String.join(", ", new java.util.TreeSet<>(ImageFiles.IMAGE_EXTENSIONS)) + ")");
		return new PairDataset("folder pairs " + rainyDir + " / " + cleanDir, pairs);
	}

	/**
	 * GT-RAIN layout: {@code root/<scene>/<scene>-Webcam-R-NNN.png} rainy frames and one
	 * {@code <scene>-Webcam-C-000.png} clean frame per scene. Each rainy frame {@code R-NNN} pairs with
	 * {@code C-NNN} when the scene has it (Gurutto_1-2 has a clean frame per rainy one), otherwise with the
	 * scene's only clean frame. The scene id is the folder name. Files that match neither pattern are ignored.
	 *
	 * @throws IllegalArgumentException naming the scene folder that has no clean frame, no rainy frame, or
	 *         several clean frames none of which matches a rainy frame's number
	 */
	public static PairDataset gtRain(Path root) throws IOException {
		requireDirectory(root, "GT-RAIN folder");
		List<ImagePair> pairs = new ArrayList<>();
		List<Path> sceneDirs = new ArrayList<>();
		try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
			for (Path p : ds)
				if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) sceneDirs.add(p);
		}
		if (sceneDirs.isEmpty())
			throw new IllegalArgumentException(root + " has no scene folders: the GT-RAIN layout is "
				+ "<folder>/<scene>/<scene>-Webcam-R-000.png ... with one <scene>-Webcam-C-000.png per scene");
		for (Path dir : sceneDirs) pairs.addAll(gtRainScene(dir));
		return new PairDataset("GT-RAIN scenes in " + root, pairs);
	}

	private static List<ImagePair> gtRainScene(Path dir) throws IOException {
		String scene = dir.getFileName().toString();
		Map<Integer, Path> rainy = new TreeMap<>(), clean = new TreeMap<>();
		try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
			for (Path p : ds) {
				Matcher m = GTRAIN_FRAME.matcher(p.getFileName().toString());
				if (!m.matches() || !Files.isRegularFile(p) || !isImage(p)) continue;
				(m.group(2).equalsIgnoreCase("R") ? rainy : clean).put(Integer.parseInt(m.group(3)), p);
			}
		}
		if (rainy.isEmpty() || clean.isEmpty())
			throw new IllegalArgumentException("GT-RAIN scene folder " + dir + " has " + rainy.size() + " rainy (-R-NNN) and "
				+ clean.size() + " clean (-C-NNN) frames; every scene needs at least one of each");
		List<ImagePair> pairs = new ArrayList<>();
		for (Map.Entry<Integer, Path> r : rainy.entrySet()) {
			Path c = clean.get(r.getKey());
			if (c == null && clean.size() == 1) c = clean.values().iterator().next();
			if (c == null)
				throw new IllegalArgumentException("GT-RAIN scene folder " + dir + ": " + r.getValue().getFileName()
					+ " has no clean frame of the same number, and the scene has " + clean.size()
					+ " clean frames, so which one belongs to it is unclear");
			pairs.add(new ImagePair(scene, r.getValue(), c));
		}
		return pairs;
	}

	/** Images in {@code dir} by base name; two files with one base name are an error. */
	private static Map<String, Path> imagesByBaseName(Path dir) throws IOException {
		requireDirectory(dir, "folder");
		Map<String, Path> out = new TreeMap<>();
		List<String> clashes = new ArrayList<>();
		try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
			for (Path p : ds) {
				if (p.getFileName().toString().startsWith(".") || !Files.isRegularFile(p) || !isImage(p)) continue;
				Path old = out.put(FileNames.baseName(p), p);
				if (old != null) clashes.add(old.getFileName() + " and " + p.getFileName());
			}
		}
		if (!clashes.isEmpty())
			throw new IllegalArgumentException(dir + " has images that differ only in their extension, so they cannot be "
				+ "matched by name: " + listed(clashes));
		return out;
	}

	private static boolean isImage(Path p) {
		return ImageFiles.IMAGE_EXTENSIONS.contains(FileNames.extension(p));
	}

	private static void requireDirectory(Path dir, String what) throws IOException {
		if (!Files.exists(dir)) throw new NoSuchFileException(dir.toString(), null, what + " not found");
		if (!Files.isDirectory(dir)) throw new NotDirectoryException(dir.toString());
	}

	/** Up to 10 names, then how many more. */
	private static String listed(List<String> names) {
		List<String> sorted = new ArrayList<>(names);
		Collections.sort(sorted);
		int shown = Math.min(LISTED, sorted.size());
		return "[" + String.join(", ", sorted.subList(0, shown))
			+ (sorted.size() > shown ? ", ... " + (sorted.size() - shown) + " more" : "") + "]";
	}
}
