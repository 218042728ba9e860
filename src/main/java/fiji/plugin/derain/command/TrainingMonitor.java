package fiji.plugin.derain.command;

import fiji.plugin.derain.metrics.Score;
import fiji.plugin.derain.train.DerainTrainer;
import fiji.plugin.derain.train.TrainingRun;

import ij.IJ;
import ij.gui.Plot;
import ij.macro.Interpreter;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.util.Arrays;
import java.util.Locale;

/**
 * Shows a training run to the user: status line with epoch, loss and ETA, the progress bar, one log line per
 * epoch, and, when someone is looking at the screen, two live plots (training loss per step, validation PSNR per
 * epoch) redrawn at most every {@value #PLOT_INTERVAL_MS} ms so that drawing never slows training down.
 * All methods run on the training thread.
 */
final class TrainingMonitor implements TrainingRun.Listener {
	static final long PLOT_INTERVAL_MS = 2000;

	private final String command;
	private final CommandSupport.Feedback feedback;
	private final int epochs;
	private final Series loss = new Series(), psnr = new Series();
	private final Plots plots;
	private double epochLossSum;
	private int epochSteps;

	/**
	 * @param title what the plots are about (the output folder)
	 * @param plot whether to show the live plots (see {@link #canPlot()})
	 */
	TrainingMonitor(String command, CommandSupport.Feedback feedback, int epochs, String title, boolean plot) {
		this.command = command;
		this.feedback = feedback;
		this.epochs = epochs;
		this.plots = plot ? new Plots(title) : null;
	}

	/** True in Fiji or ImageJ with its window, outside batch mode: plots can be seen there. */
	static boolean canPlot() {
		return !GraphicsEnvironment.isHeadless() && IJ.getInstance() != null && !Interpreter.isBatchMode();
	}

	@Override
	public void step(DerainTrainer.StepResult r, long totalSteps, double etaSeconds) {
		epochLossSum += r.total();
		epochSteps++;
		loss.add(r.step() + 1, r.total());
		feedback.progress(r.step() + 1, totalSteps);
		feedback.status(String.format(Locale.ROOT, "%s: epoch %d/%d, step %d/%d, loss %.4f, ETA %s", command,
			r.epoch() + 1, epochs, r.step() + 1, totalSteps, r.total(), duration(etaSeconds)));
		if (plots != null) plots.refresh(loss, psnr, false);
	}

	@Override
	public void epoch(int epoch, Score validation, boolean best) {
		String mean = epochSteps == 0 ? "" : String.format(Locale.ROOT, ", mean loss %.4f", epochLossSum / epochSteps);
		feedback.log(String.format(Locale.ROOT, "%s: epoch %d/%d done%s%s%s", command, epoch, epochs, mean,
			validation == null ? "" : String.format(Locale.ROOT, ", validation PSNR %.3f dB, SSIM %.4f",
				validation.psnr(), validation.ssim()), best ? " (best so far: model saved)" : ""));
		epochLossSum = 0;
		epochSteps = 0;
		if (validation != null) psnr.add(epoch, validation.psnr());
		if (plots != null) plots.refresh(loss, psnr, true);
	}

	@Override
	public void note(String message) {
		feedback.log(command + ": " + message);
	}

	/** Draws the final state of the plots (after the run ended or was cancelled). */
	void finish() {
		if (plots != null) plots.refresh(loss, psnr, true);
	}

	/** "1h02m", "3m05s": an ETA needs no more precision. */
	static String duration(double seconds) {
		if (!Double.isFinite(seconds)) return "?";
		long s = Math.round(seconds);
		return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
			: String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
	}

	/** A growing list of (x, y) points. */
	private static final class Series {
		private double[] x = new double[64], y = new double[64];
		private int n;

		void add(double xv, double yv) {
			if (n == x.length) {
				x = Arrays.copyOf(x, 2 * n);
				y = Arrays.copyOf(y, 2 * n);
			}
			x[n] = xv;
			y[n++] = yv;
		}

		double[] xs() {
			return Arrays.copyOf(x, n);
		}

		double[] ys() {
			return Arrays.copyOf(y, n);
		}
	}

	/** The two plot windows, created on the first refresh that has data for them. */
	private static final class Plots {
		private final String title;
		private Plot lossPlot, psnrPlot;
		private long lastDrawn;

		Plots(String title) {
			this.title = title;
		}

		void refresh(Series loss, Series psnr, boolean force) {
			long now = System.currentTimeMillis();
			if (!force && now - lastDrawn < PLOT_INTERVAL_MS) return;
			lastDrawn = now;
			if (loss.n > 0) lossPlot = draw(lossPlot, "Training — " + title, "step", "training loss", loss, "line",
				Color.BLUE);
			if (psnr.n > 0) psnrPlot = draw(psnrPlot, "Validation — " + title, "epoch", "validation PSNR (dB)", psnr,
				"connected circles", Color.RED);
		}

		private static Plot draw(Plot plot, String title, String xLabel, String yLabel, Series s, String shape,
			Color color) {
			if (plot == null) {
				plot = new Plot(title, xLabel, yLabel);
				plot.setColor(color);
				plot.addPoints(s.xs(), s.ys(), Plot.toShape(shape));
				plot.show();
			} else {
				plot.replace(0, shape, s.xs(), s.ys());
				plot.setLimitsToFit(true);
			}
			return plot;
		}
	}
}
