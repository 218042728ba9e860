package fiji.plugin.derain.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/** Runs the command the way Fiji, scripts and macros do: through CommandService with named inputs. */
class AboutCommandTest {
	private Context context;

	@BeforeEach
	void createContext() {
		context = new Context(CommandService.class, LogService.class);
	}

	@AfterEach
	void disposeContext() {
		context.dispose();
	}

	private String report(String device) throws InterruptedException, ExecutionException {
		return (String) context.service(CommandService.class)
				.run(AboutCommand.class, true, "device", device).get().getOutput("report");
	}

	@Test
	void reportsPyTorchOnTheCpu() throws Exception {
		String report = report("cpu");
		assertTrue(report.contains("\nengine: PyTorch 2.7.1\n"), report);
		assertTrue(report.contains("\nDJL: 0.36.0\n"), report);
		assertTrue(report.contains("\ndevice: cpu"), report);
		assertTrue(report.contains("\noffline: true"), report);
	}

	@Test
	void gpuRequestOnACpuMachineReportsTheFallBack() throws Exception {
		String report = report("gpu");
		if (report.contains("CUDA GPUs seen by DJL: 0")) {
			assertTrue(report.contains("\ndevice: cpu"), report);
			assertTrue(report.contains("note: GPU requested, but DJL found no CUDA GPU"), report);
		} else {
			assertTrue(report.contains("\ndevice: gpu 0") || report.contains("cannot use them"), report);
		}
	}
}
