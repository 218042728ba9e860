package fiji.plugin.derain.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fiji.plugin.derain.command.AboutCommand;
import fiji.plugin.derain.command.DerainFolderCommand;
import fiji.plugin.derain.command.DerainImageCommand;
import fiji.plugin.derain.command.EvaluateCommand;
import fiji.plugin.derain.command.ImportCheckpointCommand;
import fiji.plugin.derain.command.MacroKeysPreprocessor;
import fiji.plugin.derain.command.SynthesizeRainCommand;
import fiji.plugin.derain.command.TrainDerainerCommand;
import fiji.plugin.derain.train.TrainOptions;

import ij.ImagePlus;
import ij.Macro;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.convert.ConvertService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.PluginInfo;
import org.scijava.plugin.PluginService;

/**
 * A macro means the same in Fiji and in plain ImageJ 1.x. Every documented macro call — each {@code run("…", "…")}
 * line of README.md, and each Fiji Derain call the macros of {@code macros/} make when run with the arguments
 * their header and README.md give as examples (also with every {@code [flag]} of the header bare, {@code =true}
 * and {@code =false}) — runs in ImageJ's own macro interpreter, and while the call runs its options are read
 * twice:
 * <ul>
 * <li>plain ImageJ 1.x: the ImageJ 1.x class of {@code plugins.config} reads its dialog through
 * {@link GenericDialogEmulation} (GenericDialog's macro reading);</li>
 * <li>Fiji: the SciJava command's inputs are set the way imagej-legacy's {@code MacroPreprocessor} sets them
 * ({@code Macro.getValue(options, name, null)}, then the real {@code ConvertService}'s {@code supports} and
 * {@code convert}), followed by the plugin's own {@link MacroKeysPreprocessor}.</li>
 * </ul>
 * Both must give equal parameters, as the commands pass them to their engines.
 */
class MacroEquivalenceTest {
	private static final Path README = Path.of("README.md"), MACROS = Path.of("macros");
	private static final Pattern RUN = Pattern.compile("run\\(\"([^\"]+)\"");
	private static final Pattern FLAG = Pattern.compile("\\[(\\w+)\\]");
	private static final Pattern PATH_VALUE = Pattern.compile("(\\w+)=(/[^\\s\\]]*)");

	@TempDir
	static Path tmp;
	private static Context context;
	private static final Map<String, CommandInfo> commands = new TreeMap<>();
	private static final Map<String, Class<?>> twins = new TreeMap<>();

	/**
	 * One call, read by both apps: the parameters (or what was thrown), Fiji's input values and the inputs left
	 * unresolved (Fiji's input harvester would ask for those in a dialog; ImageJ 1.x keeps the default).
	 */
	record Call(String label, String options, Object imageJ1, Object fiji, Map<String, Object> fijiInputs,
		Set<String> unresolved) {}

	@BeforeAll
	static void findCommands() throws IOException {
		context = new Context(CommandService.class, ConvertService.class, ModuleService.class, PluginService.class);
		for (CommandInfo info : context.service(CommandService.class).getCommandsOfType(Command.class))
			if (info.getClassName().startsWith("fiji.plugin.derain.") && info.getMenuPath().size() > 0)
				commands.put(info.getMenuPath().getLeaf().getName(), info);
		try (InputStream in = MacroEquivalenceTest.class.getResourceAsStream("/plugins.config")) {
			assertNotNull(in, "plugins.config is not on the classpath");
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				Matcher m = Pattern.compile("^[^#,]+,\\s*\"([^\"]+)\",\\s*([\\w.]+)\\s*$").matcher(line.trim());
				if (m.matches()) twins.put(m.group(1), loadClass(m.group(2)));
			}
		}
		assertEquals(commands.keySet(), twins.keySet(), "SciJava commands vs plugins.config");
	}

	@AfterAll
	static void dispose() {
		context.dispose();
	}

	@Test
	void everyReadmeMacroCallMeansTheSameInBothApps() throws Exception {
		List<String> lines = Files.readAllLines(README).stream().map(String::trim)
			.filter(l -> l.startsWith("run(\"") && commands.containsKey(label(l))).toList();
		assertFalse(lines.isEmpty(), "README.md shows no run(\"...\") macro call of a Fiji Derain command");
		for (String line : lines) {
			MacroCalls.Result result = run(line, "");
			assertEquals(1, result.calls().size(), line + ": " + result);
			assertSameInBothApps((Call) result.calls().get(0));
		}
	}

	@Test
	void everyShippedMacroMeansTheSameInBothApps() throws Exception {
		List<Path> macros;
		try (Stream<Path> files = Files.list(MACROS)) {
			macros = files.filter(p -> p.toString().endsWith(".ijm")).sorted().toList();
		}
		assertFalse(macros.isEmpty());
		for (Path macro : macros) {
			String text = Files.readString(macro);
			Set<String> called = new TreeSet<>(), reached = new TreeSet<>();
			for (Matcher m = RUN.matcher(text); m.find();)
				if (commands.containsKey(m.group(1))) called.add(m.group(1));
			List<String> examples = examples(macro.getFileName().toString());
			assertFalse(examples.isEmpty(), macro + ": no example argument (-batch " + macro.getFileName() + " \"...\")");
			for (String example : examples) {
				String argument = localPaths(example);
				Set<String> flags = flags(text, called);
				Map<String, Boolean> variants = new LinkedHashMap<>();
				variants.put(argument, null);
				if (!flags.isEmpty()) {
					variants.put(argument + " " + String.join(" ", flags), true);
					variants.put(argument + " " + String.join("=true ", flags) + "=true", true);
					variants.put(argument + " " + String.join("=false ", flags) + "=false", false);
				}
				for (Map.Entry<String, Boolean> v : variants.entrySet()) {
					MacroCalls.Result result = run(text, v.getKey());
					String where = macro + " \"" + v.getKey() + "\"";
					assertFalse(result.calls().isEmpty(), where + " called no command: " + result.error());
					for (Object c : result.calls()) {
						Call call = assertInstanceOf(Call.class, c, where);
						reached.add(call.label());
						assertSameInBothApps(call);
						if (v.getValue() != null) for (String flag : flags)
							if (call.fijiInputs().containsKey(flag))
								assertEquals(v.getValue(), call.fijiInputs().get(flag), where + ": flag " + flag + " did not "
									+ "reach " + call.label() + " (" + call.options() + ")");
					}
				}
			}
			assertEquals(called, reached, macro + ": commands called in the file vs calls seen with the examples");
		}
	}

	/** Each checkbox of each command: bare key and key=true tick it, key=false and no key clear it, in both apps. */
	@Test
	void everyCheckboxTakesBothFormsInBothApps() throws Exception {
		for (String label : commands.keySet())
			for (String flag : booleanInputs(label)) {
				Map<String, Boolean> forms = new LinkedHashMap<>();
				forms.put(flag, true);
				forms.put(flag + "=true", true);
				forms.put(flag + "=TRUE", true);
				forms.put(flag + "=[true]", true);
				forms.put(flag + "=false", false);
				forms.put("unrelated=1", false);
				forms.put("pattern=[" + flag + "]", false); // a word inside a value
				for (Map.Entry<String, Boolean> form : forms.entrySet()) {
					MacroCalls.Result result = run("run(\"" + label + "\", \"" + form.getKey() + "\");", "");
					Call call = (Call) result.calls().get(0);
					assertSameInBothApps(call);
					assertEquals(form.getValue(), call.fijiInputs().get(flag), label + " " + form.getKey());
				}
			}
	}

	@Test
	void aBooleanThatIsNeitherTrueNorFalseFailsInBothAppsNamingTheKey() throws Exception {
		Call call = (Call) run("run(\"Derain Folder\", \"input=[/a] output=[/b] overwrite=yes\");", "").calls().get(0);
		for (Object side : new Object[] { call.imageJ1(), call.fiji() }) {
			Throwable e = assertInstanceOf(Throwable.class, side);
			assertTrue(e.getMessage().contains("overwrite: expected overwrite=true, overwrite=false or the bare word "
				+ "overwrite, got 'yes'"), e.getMessage());
		}
	}

	/** The dialog keys of each ImageJ 1.x class are the macro inputs of its SciJava command, and no more. */
	@Test
	void dialogKeysAreTheCommandsInputNames() throws Exception {
		for (String label : commands.keySet()) {
			GenericDialogEmulation gd = new GenericDialogEmulation();
			twin(label).addFields(gd);
			Set<String> keys = new LinkedHashSet<>(gd.keys());
			assertEquals(gd.keys().size(), keys.size(), label + ": two fields share a key: " + gd.keys());
			Set<String> inputs = new TreeSet<>();
			for (ModuleItem<?> input : commands.get(label).inputs())
				if (isMacroValue(input.getType())) inputs.add(input.getName());
			assertEquals(inputs, new TreeSet<>(keys), label + ": SciJava input names vs ImageJ 1.x dialog keys");
		}
	}

	/** Fiji finds the plugin's preprocessor and runs it after imagej-legacy's MacroPreprocessor (2 × VERY_HIGH). */
	@Test
	void fijiRunsTheMacroKeysPreprocessorRightAfterMacroPreprocessor() {
		List<PluginInfo<PreprocessorPlugin>> found = new ArrayList<>();
		for (PluginInfo<PreprocessorPlugin> info : context.service(PluginService.class).getPluginsOfType(
			PreprocessorPlugin.class))
			if (info.getClassName().equals(MacroKeysPreprocessor.class.getName())) found.add(info);
		assertEquals(1, found.size(), "MacroKeysPreprocessor is not in the plugin index");
		double priority = found.get(0).getPriority();
		assertTrue(priority < 20000 && priority > 10001, "priority " + priority + ": must run after MacroPreprocessor "
			+ "(20000) and before ActiveImagePlusPreprocessor (10001), DefaultValuePreprocessor and the harvester");
	}

	// -- both apps --

	private static void assertSameInBothApps(Call call) {
		String where = call.label() + " \"" + call.options() + "\"";
		assertFalse(call.imageJ1() instanceof Throwable, () -> where + ": ImageJ 1.x: " + call.imageJ1());
		assertFalse(call.fiji() instanceof Throwable, () -> where + ": Fiji: " + call.fiji());
		assertEquals(comparable(call.imageJ1()), comparable(call.fiji()), where + ": ImageJ 1.x vs Fiji");
		assertEquals(Set.of(), call.unresolved(), where + ": Fiji would ask for these in a dialog");
	}

	private static MacroCalls.Result run(String macro, String argument) throws Exception {
		return MacroCalls.run(macro, argument, commands.keySet(), MacroEquivalenceTest::read);
	}

	/** Reads the running call's options in both apps; runs inside {@code IJ.run}, so Macro.getOptions() is set. */
	private static Call read(String label, String options) {
		Object imageJ1, fiji;
		Map<String, Object> inputs = new TreeMap<>();
		Set<String> unresolved = new TreeSet<>();
		try {
			DerainPlugIn<?> twin = twin(label);
			GenericDialogEmulation gd = new GenericDialogEmulation();
			twin.addFields(gd);
			gd.show();
			imageJ1 = twin.read(gd);
		} catch (Exception e) {
			imageJ1 = e;
		}
		try {
			Module module = fijiModule(label);
			for (ModuleItem<?> input : module.getInfo().inputs())
				if (isMacroValue(input.getType())) {
					inputs.put(input.getName(), module.getInput(input.getName()));
					if (!module.isInputResolved(input.getName())) unresolved.add(input.getName());
				}
			fiji = parameters(module.getDelegateObject());
		} catch (Exception e) {
			fiji = e;
		}
		return new Call(label, options, imageJ1, fiji, inputs, unresolved);
	}

	/**
	 * The command's module after macro preprocessing in Fiji: imagej-legacy's {@code MacroPreprocessor.process}
	 * (as of 2026-04, with {@code IJ1Helper.getMacroParameter(name)} = {@code Macro.getValue(getOptions(), name,
	 * null)} and {@code getOptions()} = {@code Macro.getOptions()} or ""), then ours.
	 */
	private static Module fijiModule(String label) {
		Module module = context.service(ModuleService.class).createModule(commands.get(label));
		ConvertService convertService = context.service(ConvertService.class);
		String options = Macro.getOptions() == null ? "" : Macro.getOptions();
		for (ModuleItem<?> input : module.getInfo().inputs()) {
			String name = input.getName();
			Class<?> type = input.getType();
			String value = Macro.getValue(options, name, null);
			if (value == null) continue;
			if (!convertService.supports(value, type)) continue;
			module.setInput(name, convertService.convert(value, type));
			module.resolveInput(name);
		}
		new MacroKeysPreprocessor().process(module);
		return module;
	}

	/** The parameters a SciJava command passes to its engine, of the type its ImageJ 1.x twin reads. */
	private static Object parameters(Object command) {
		if (command instanceof AboutCommand c) return c.deviceChoice();
		if (command instanceof DerainImageCommand c) return c.modelOptions();
		if (command instanceof DerainFolderCommand c) return new Derain_Folder.Parameters(c.folders(), c.modelOptions());
		if (command instanceof EvaluateCommand c) return c.options();
		if (command instanceof ImportCheckpointCommand c) return c.options();
		if (command instanceof SynthesizeRainCommand c) return c.request();
		if (command instanceof TrainDerainerCommand c) return c.request();
		throw new AssertionError("no parameters for " + command.getClass());
	}

	/** Training options compare as the config they give (the two apps write numbers differently: 2e-4, 0.0002). */
	private static Object comparable(Object parameters) {
		if (!(parameters instanceof TrainDerainerCommand.Request r)) return parameters;
		return List.of(r.data(), String.valueOf(r.output()), r.resume(), r.initModel(),
			TrainOptions.fromOptions(r.options()::get));
	}

	private static DerainPlugIn<?> twin(String label) throws ReflectiveOperationException {
		return (DerainPlugIn<?>) twins.get(label).getDeclaredConstructor().newInstance();
	}

	private static Set<String> booleanInputs(String label) {
		Set<String> names = new TreeSet<>();
		for (ModuleItem<?> input : commands.get(label).inputs())
			if (input.getType() == boolean.class) names.add(input.getName());
		return names;
	}

	/** Inputs a macro sets: text, files, numbers, booleans (not the image, not services). */
	private static boolean isMacroValue(Class<?> type) {
		return type == String.class || type == File.class || type == boolean.class || type == int.class
			|| type == long.class || type == double.class;
	}

	// -- documented examples --

	/** The example arguments of {@code macros/<name>}: {@code -batch [macros/]<name> "ARGS"} in it and in README. */
	private static List<String> examples(String name) throws IOException {
		Pattern example = Pattern.compile("-batch\\s+(?:macros/)?" + Pattern.quote(name) + "\\s+\"([^\"]*)\"");
		List<String> found = new ArrayList<>();
		for (Path file : List.of(MACROS.resolve(name), README))
			for (Matcher m = example.matcher(Files.readString(file)); m.find();)
				found.add(m.group(1));
		return found;
	}

	/** The {@code [word]}s of the macro's header comment that are boolean inputs of a command it calls. */
	private static Set<String> flags(String macro, Set<String> called) {
		Set<String> booleans = new TreeSet<>();
		for (String label : called)
			booleans.addAll(booleanInputs(label));
		Set<String> flags = new TreeSet<>();
		for (String line : macro.split("\n")) {
			if (!line.startsWith("//")) break;
			for (Matcher m = FLAG.matcher(line); m.find();)
				if (booleans.contains(m.group(1))) flags.add(m.group(1));
		}
		return flags;
	}

	/**
	 * {@code example} with its absolute paths moved below the temporary folder (in brackets), and a small image
	 * at each image path, since a macro may open its input.
	 */
	private static String localPaths(String example) throws IOException {
		StringBuilder out = new StringBuilder();
		Matcher m = PATH_VALUE.matcher(example);
		while (m.find()) {
			Path local = Path.of(tmp + m.group(2));
			if (local.getFileName().toString().matches(".*\\.(tif|tiff|png)")) {
				Files.createDirectories(local.getParent());
				new FileSaver(new ImagePlus("example", new ByteProcessor(8, 8))).saveAsTiff(local.toString());
			}
			m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "=[" + local + "]"));
		}
		return m.appendTail(out).toString();
	}

	private static String label(String line) {
		Matcher m = RUN.matcher(line);
		return m.find() ? m.group(1) : "";
	}

	private static Class<?> loadClass(String name) {
		try {
			return Class.forName(name);
		} catch (ClassNotFoundException e) {
			throw new AssertionError("plugins.config names a missing class " + name, e);
		}
	}
}
