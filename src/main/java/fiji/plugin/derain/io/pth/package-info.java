/**
 * Reads PyTorch {@code torch.save} checkpoints ({@code .pth}, zip format) in pure Java, without running
 * anything from the file.
 * <p>
 * A checkpoint is a zip holding a pickle ({@code <root>/data.pkl}) and one raw entry per tensor storage
 * ({@code <root>/data/<key>}). {@link fiji.plugin.derain.io.pth.PthReader} runs the pickle on a small
 * virtual machine that knows only the globals a weights file needs (an ordered dict, the tensor and
 * parameter rebuild functions, the typed storages); any other global is refused before anything happens.
 * Tensors come back as {@link fiji.plugin.derain.io.pth.RawTensor}s and
 * {@link fiji.plugin.derain.io.pth.StateDicts} turns the unpickled object into a name → tensor map.
 */
package fiji.plugin.derain.io.pth;
