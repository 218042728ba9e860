package fiji.plugin.derain.command;

import ij.Macro;

import java.io.File;
import java.util.Set;

import org.scijava.Priority;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPreprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.Plugin;

/**
 * In Fiji, makes a macro mean for a Deraining command what it means for its ImageJ 1.x twin in plain ImageJ.
 * imagej-legacy's {@code MacroPreprocessor} (priority 2 × VERY_HIGH) sets each input from
 * {@code Macro.getValue(options, name, null)} converted by the {@code ConvertService}; it skips a key without a
 * value, so a bare {@code overwrite} stayed false, and it leaves every key the macro omits unresolved, for the
 * input harvester to ask for. This runs right after it, only while a macro's {@code run(command, options)} is
 * running (then {@link Macro#getOptions()} is not null; imagej-legacy lets the command's thread see them):
 * <ul>
 * <li>every boolean input becomes {@link MacroKeys#flag}: {@code key}, {@code key=true} → true; {@code key=false},
 * absent → false; any other value fails with one line naming the key;</li>
 * <li>every other text, file or number input the macro left out is resolved with its default, as ImageJ 1.x's
 * {@code GenericDialog} keeps a field's default when a macro omits its key;</li>
 * <li>a number the {@code ConvertService} could not read (so {@code MacroPreprocessor} left it unresolved) fails
 * with one line naming the key, where Fiji would otherwise ask for it in a dialog.</li>
 * </ul>
 * Modules of other plugins are left alone.
 */
@Plugin(type = PreprocessorPlugin.class, priority = MacroKeysPreprocessor.PRIORITY)
public class MacroKeysPreprocessor extends AbstractPreprocessorPlugin {

	/** Just below imagej-legacy's {@code MacroPreprocessor}, above the input harvester and default values. */
	public static final double PRIORITY = 2 * Priority.VERY_HIGH - 1;

	private static final String PACKAGE = "fiji.plugin.derain.";
	private static final Set<Class<?>> VALUES = Set.of(String.class, File.class, int.class, Integer.class, long.class,
		Long.class, double.class, Double.class, float.class, Float.class);

	@Override
	public void process(Module module) {
		String options = Macro.getOptions();
		String command = module.getInfo().getDelegateClassName();
		if (options == null || command == null || !command.startsWith(PACKAGE)) return;
		for (ModuleItem<?> input : module.getInfo().inputs()) {
			String name = input.getName();
			if (input.getType() == boolean.class || input.getType() == Boolean.class) {
				try {
					module.setInput(name, MacroKeys.flag(options, name));
				} catch (IllegalArgumentException e) {
					throw new CommandSupport.CommandException(module.getInfo().getTitle() + ": " + e.getMessage(), e);
				}
				module.resolveInput(name);
			} else if (VALUES.contains(input.getType()) && !module.isInputResolved(name)) {
				String value = Macro.getValue(options, name, null);
				if (value != null) throw new CommandSupport.CommandException(module.getInfo().getTitle() + ": " + name
					+ ": expected a number, got '" + value + "'", null);
				module.resolveInput(name);
			}
		}
	}
}
