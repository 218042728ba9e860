package fiji.plugin.derain.train;

import java.nio.file.Path;

/**
 * One training example: a rainy image and its clean counterpart, and the scene they show. Batches draw their
 * pairs from different scenes (the rain-robust loss treats the other pairs of a batch as negatives) and the
 * validation split holds out whole scenes.
 *
 * @param scene scene id (a GT-RAIN scene folder's name; for folder pairs the file's base name)
 * @param rainy the rainy image file
 * @param clean the clean image file
 */
public record ImagePair(String scene, Path rainy, Path clean) {}
