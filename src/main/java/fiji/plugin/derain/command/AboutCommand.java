package fiji.plugin.derain.command;

import fiji.plugin.derain.engine.AboutReport;
import fiji.plugin.derain.engine.DeviceChoice;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * <i>Plugins › Deraining › About Fiji Derain</i>: versions, engine, devices and native library.
 * <p>
 * Menu entries: every command has a SciJava {@code menuPath} <em>and</em> a line in
 * {@code plugins.config} with the same menu and label, run by the thin ImageJ 1.x twin in
 * {@code fiji.plugin.derain.ij1}. Plain ImageJ 1.x reads only {@code plugins.config}. In Fiji,
 * imagej-legacy meets the SciJava command whose label is already an ImageJ 1.x command, logs
 * "Overriding About Fiji Derain", reuses the existing menu item and maps the label to the SciJava
 * command: one entry in either app, and {@code run("About Fiji Derain", "device=cpu")} works in both
 * because the parameter names equal the ImageJ 1.x dialog keys.
 */
@Plugin(type = Command.class, menuPath = AboutCommand.MENU_PATH, label = AboutCommand.LABEL)
public class AboutCommand implements Command {

	/** Menu label, identical in {@code plugins.config}; macros call it by this name. */
	public static final String LABEL = "About Fiji Derain";
	public static final String MENU_PATH = MenuPaths.DERAINING + ">" + LABEL;

	/** Macro key {@code device}: auto | cpu | gpu. */
	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" },
			description = "auto takes a usable CUDA GPU, else the CPU; gpu falls back to the CPU with a message")
	private String device = "auto";

	@Parameter(type = ItemIO.OUTPUT, label = "About Fiji Derain")
	private String report;

	@Parameter
	private LogService log;

	/** The device as set by the dialog or a macro. */
	public DeviceChoice deviceChoice() {
		return DeviceChoice.parse(device);
	}

	@Override
	public void run() {
		report = AboutReport.build(deviceChoice(), log::debug); // the report repeats them
		log.info(report);
	}
}
