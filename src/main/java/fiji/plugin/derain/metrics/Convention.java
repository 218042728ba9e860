package fiji.plugin.derain.metrics;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which published definition of PSNR and SSIM a score follows. Both read images with values in [0, 1].
 * <p>
 * PSNR is the same in both: {@code 10·log10(1 / MSE)} over all pixels and channels (data range 1; for
 * a reference in [0, 1] that is also what scikit-image infers from a float dtype).
 */
public enum Convention {
	/**
	 * SSIM of Wang et al. 2004: Gaussian window 11×11, σ 1.5 (scipy's kernel: 3.5σ truncation),
	 * K1 0.01, K2 0.03, population covariance, data range 1, averaged over the "valid" window
	 * positions (those that fit inside the image), then over channels. This equals scikit-image's
	 * {@code structural_similarity(..., gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
	 * data_range=1)}: its 'reflect'-filtered map cropped by (11−1)/2 px contains exactly the windows
	 * that never touch the padding.
	 */
	STANDARD("standard", SsimWindow.gaussian(11, 1.5, 1.0)),
	/**
	 * What GT-RAIN and the UG²⁺ challenge reported: scikit-image 0.19
	 * {@code structural_similarity(gt, out, multichannel=True)} on float images, whose defaults are a
	 * 7×7 uniform window, sample covariance (N/(N−1)), data range 2 (the float dtype range −1..1,
	 * not the data's), per-channel means of the map cropped by 3 px (= the valid positions), then the
	 * mean over channels.
	 */
	GTRAIN("gtrain", SsimWindow.uniform(7, 2.0));

	private final String key;
	private final SsimWindow window;

	Convention(String key, SsimWindow window) {
		this.key = key;
		this.window = window;
	}

	/** The lower-case name used in macros, the CLI and reports ({@code standard}, {@code gtrain}). */
	public String key() {
		return key;
	}

	SsimWindow window() {
		return window;
	}

	/**
	 * Parses a convention name, ignoring case and surrounding blanks.
	 *
	 * @throws IllegalArgumentException naming the accepted values when {@code name} is none of them
	 */
	public static Convention parse(String name) {
		if (name != null) {
			String wanted = name.trim().toLowerCase(Locale.ROOT);
			for (Convention c : values())
				if (c.key.equals(wanted)) return c;
		}
		String known = Arrays.stream(values()).map(Convention::key).collect(Collectors.joining(", "));
		throw new IllegalArgumentException("unknown metrics convention '" + name + "'; use one of: " + known);
	}

	@Override
	public String toString() {
		return key;
	}
}
