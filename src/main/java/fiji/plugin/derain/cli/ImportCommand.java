package fiji.plugin.derain.cli;

import fiji.plugin.derain.io.GtrainImport;
import fiji.plugin.derain.io.ModelDescriptor;
import fiji.plugin.derain.net.DerainConfig;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;

/** {@code derain import-gtrain CHECKPOINT.pth --out MODEL_DIR [--activation leaky|mish] [--overwrite]}. */
final class ImportCommand implements Main.SubCommand {
	@Override
	public String name() {
		return "import-gtrain";
	}

	@Override
	public String usage() {
		return String.join("\n", "import-gtrain CHECKPOINT.pth --out MODEL_DIR [--activation leaky|mish] [--overwrite]",
			"  Converts a GT-RAIN PyTorch checkpoint into a model folder (no code from the file is ever run).",
			"  --activation  leaky (GT-RAIN, default) or mish (UG2+ variant); a checkpoint cannot tell them apart",
			"  --out         model folder to create (model.json + weights.safetensors)",
			"  --overwrite   replace an existing model folder's files");
	}

	@Override
	public int run(String[] argv, Console console) throws Exception {
		Args a = new Args(name(), argv, 1, Set.of("out", "activation"), Set.of("overwrite"));
		if (a.positional().size() != 1)
			throw new Args.UsageException(name() + ": give exactly one checkpoint file, got " + a.positional().size());
		Path checkpoint = Paths.get(a.positional().get(0));
		DerainConfig.Activation activation;
		try {
			activation = DerainConfig.Activation.parse(a.string("activation", "leaky"));
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": --activation: " + e.getMessage());
		}
		ModelDescriptor d = GtrainImport.importTo(checkpoint, activation, a.path("out"), a.flag("overwrite"));
		DerainConfig c = d.config();
		console.out.printf("imported %s -> %s (ngf %d, %d blocks, %s, %s norm)%n", checkpoint, a.path("out"), c.ngf(),
			c.nBlocks(), c.activation().id(), c.norm().id());
		return 0;
	}
}
