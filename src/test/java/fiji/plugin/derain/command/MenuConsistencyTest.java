package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.plugin.PlugIn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;

/**
 * Every menu entry exists once in each app: each {@code plugins.config} line names an ImageJ 1.x
 * {@link PlugIn} and has a SciJava command with the same menu path, and vice versa (in Fiji the
 * command then takes over the ImageJ 1.x item instead of adding a second one).
 */
class MenuConsistencyTest {
	private static final Pattern LINE = Pattern.compile("^([^,]+),\\s*\"([^\"]+)\",\\s*([\\w.$]+)(\\(\"[^\"]*\"\\))?$");

	@Test
	void pluginsConfigAndSciJavaCommandsDescribeTheSameMenu() throws Exception {
		Map<String, String> ij1 = ij1Entries();
		assertFalse(ij1.isEmpty(), "plugins.config has no entries");
		for (Map.Entry<String, String> e : ij1.entrySet())
			assertTrue(PlugIn.class.isAssignableFrom(Class.forName(e.getValue())),
					e.getValue() + " (for " + e.getKey() + ") is not an ij.plugin.PlugIn");

		Map<String, String> sciJava = new TreeMap<>();
		Context context = new Context(CommandService.class);
		try {
			for (CommandInfo info : context.service(CommandService.class).getCommandsOfType(Command.class))
				if (info.getClassName().startsWith("fiji.plugin.derain.") && info.getMenuPath().size() > 0)
					sciJava.put(info.getMenuPath().getMenuString(true).replace(" > ", ">"), info.getClassName());
		} finally {
			context.dispose();
		}
		assertEquals(ij1.keySet(), sciJava.keySet(), "menu paths in plugins.config vs @Plugin menuPath");
	}

	/** menu path ("Plugins>Deraining>About Fiji Derain") → ImageJ 1.x class, from the packaged file. */
	private static Map<String, String> ij1Entries() throws IOException {
		Map<String, String> entries = new TreeMap<>();
		try (InputStream in = MenuConsistencyTest.class.getResourceAsStream("/plugins.config")) {
			assertTrue(in != null, "plugins.config is not packaged at the jar root");
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				String t = line.trim();
				if (t.isEmpty() || t.startsWith("#")) continue;
				Matcher m = LINE.matcher(t);
				assertTrue(m.matches(), "malformed plugins.config line: " + t);
				String previous = entries.put(m.group(1).trim() + ">" + m.group(2), m.group(3));
				assertEquals(null, previous, "duplicate plugins.config entry: " + t);
			}
		}
		return entries;
	}
}
