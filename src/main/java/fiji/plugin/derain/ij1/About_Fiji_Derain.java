package fiji.plugin.derain.ij1;

import fiji.plugin.derain.command.AboutCommand;
import fiji.plugin.derain.command.CommandSupport;
import fiji.plugin.derain.engine.AboutReport;
import fiji.plugin.derain.engine.DeviceChoice;

/**
 * ImageJ 1.x entry of {@link AboutCommand} (see there for why both exist). The dialog key
 * {@code device} is the SciJava parameter name, so {@code run("About Fiji Derain", "device=cpu")}
 * means the same in plain ImageJ and in Fiji.
 */
public class About_Fiji_Derain extends DerainPlugIn<DeviceChoice> {

	@Override
	String label() {
		return AboutCommand.LABEL;
	}

	@Override
	void addFields(DialogFields gd) {
		gd.addMessage("Reports the plugin, DJL and PyTorch versions,\n"
			+ "the devices found and the one Fiji Derain would use.");
		gd.addChoice("Device", DeviceChoice.ids(), DeviceChoice.AUTO.id());
	}

	@Override
	DeviceChoice read(DialogFields gd) {
		return DeviceChoice.parse(gd.getNextChoice());
	}

	@Override
	void run(DeviceChoice device, CommandSupport.Feedback feedback) {
		feedback.log(AboutReport.build(device, feedback::status));
	}
}
