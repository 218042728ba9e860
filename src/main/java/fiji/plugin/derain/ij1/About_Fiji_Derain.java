package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.AboutCommand;
import fiji.plugin.derain.engine.AboutReport;
import fiji.plugin.derain.engine.DeviceChoice;

import ij.IJ;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/**
 * ImageJ 1.x entry of {@link AboutCommand} (see there for why both exist). The dialog key
 * {@code device} is the SciJava parameter name, so {@code run("About Fiji Derain", "device=cpu")}
 * means the same in plain ImageJ and in Fiji.
 */
public class About_Fiji_Derain implements PlugIn {

	@Override
	public void run(String arg) {
		GenericDialog gd = new GenericDialog(AboutCommand.LABEL);
		gd.addMessage("Reports the plugin, DJL and PyTorch versions,\n"
				+ "the devices found and the one Fiji Derain would use.");
		gd.addChoice("Device", DeviceChoice.ids(), DeviceChoice.AUTO.id());
		gd.showDialog();
		if (gd.wasCanceled()) return;
		DeviceChoice device = DeviceChoice.parse(gd.getNextChoice());
		IJ.log(AboutReport.build(device, message -> IJ.showStatus(message)));
	}
}
