package fiji.plugin.derain.cli;

import java.util.List;

/** The registry of sub-commands, in the order {@code derain --help} lists them. */
final class SubCommands {
	private SubCommands() {}

	static List<Main.SubCommand> all() {
		return List.of(new RunCommand(), new EvalCommand(), new ImportCommand(), new SynthCommand(), new TrainCommand());
	}
}
