package fiji.plugin.derain.command;

import fiji.plugin.derain.synth.RainParams;

import java.util.function.DoubleFunction;
import java.util.function.UnaryOperator;

/**
 * The rain parameters of <i>Synthesize Rain</i>, with their macro keys (the same as {@code derain synth}'s
 * options, dashes written as underscores):
 * <ul>
 * <li>{@code preset}: {@code light} | {@code medium} | {@code heavy} | {@code storm}, the starting values;</li>
 * <li>{@code density} (streaks per megapixel), {@code length} (px), {@code angle} (degrees from vertical, + falls
 * to the right), {@code width} (px), {@code brightness} (0–1), {@code motion_blur} (px), {@code defocus} (px),
 * {@code transmission} (veil {@code I = J·t + A·(1−t)}, 1 = no veil), {@code atmospheric_light} (A, 0–1): each
 * a number, or <b>empty</b> for the preset's value. They are text, not numbers, because every number is a
 * meaningful value (an angle of 0 is vertical rain), so only an empty field can mean "the preset's";</li>
 * <li>{@code seed}: reproducible rain (folders combine it with each file name);</li>
 * <li>{@code absolute_size}: sizes are pixels of each image; off (the default) scales sizes and density from
 * the presets' 1024-pixel-wide reference to the image's width, so a preset looks alike at any size.</li>
 * </ul>
 */
public record RainOptions(String preset, String density, String length, String angle, String width,
	String brightness, String motionBlur, String defocus, String transmission, String atmosphericLight, long seed,
	boolean absoluteSize) {

	public static final String[] PRESETS = { "light", "medium", "heavy", "storm" };
	public static final String DEFAULT_PRESET = "medium";

	/** The preset with no value overridden. */
	public static RainOptions preset(String preset, long seed) {
		return new RainOptions(preset, "", "", "", "", "", "", "", "", "", seed, false);
	}

	/**
	 * The validated parameters: the preset's, overridden by every non-empty value, with {@link #seed()}.
	 *
	 * @throws IllegalArgumentException whose message starts with the macro key of the bad value
	 */
	public RainParams params() {
		RainParams.Preset p;
		try {
			p = RainParams.Preset.parse(preset == null || preset.isBlank() ? DEFAULT_PRESET : preset);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("preset: " + e.getMessage(), e);
		}
		RainParams params = p.params().withSeed(seed);
		params = override(params, "density", density, v -> b -> b.optDensity(v));
		params = override(params, "length", length, v -> b -> b.optLength(v));
		params = override(params, "angle", angle, v -> b -> b.optAngle(v));
		params = override(params, "width", width, v -> b -> b.optWidth(v));
		params = override(params, "brightness", brightness, v -> b -> b.optBrightness(v));
		params = override(params, "motion_blur", motionBlur, v -> b -> b.optMotionBlur(v));
		params = override(params, "defocus", defocus, v -> b -> b.optDefocus(v));
		params = override(params, "transmission", transmission, v -> b -> b.optTransmission(v));
		return override(params, "atmospheric_light", atmosphericLight, v -> b -> b.optAtmosphericLight(v));
	}

	/**
	 * {@code params} with one value changed, validated at once so that a range error names this key (the
	 * preset's own values are valid, so the value just set is the one at fault).
	 */
	private static RainParams override(RainParams params, String key, String text,
		DoubleFunction<UnaryOperator<RainParams.Builder>> set) {
		if (text == null || text.isBlank()) return params;
		double v;
		try {
			v = Double.parseDouble(text.trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException(key + ": expected a number or nothing (= the preset's value), got '"
				+ text.trim() + "'");
		}
		try {
			return set.apply(v).apply(params.toBuilder()).build();
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
		}
	}
}
