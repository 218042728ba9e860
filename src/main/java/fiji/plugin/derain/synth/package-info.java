/**
 * Seeded rain synthesizer in pure Java: {@link fiji.plugin.derain.synth.RainParams} (presets, validated
 * parameters), {@link fiji.plugin.derain.synth.RainSynthesizer} (streak layer M, rainy image
 * {@code veil(J + M − J·M)}), {@link fiji.plugin.derain.synth.RainResult} and
 * {@link fiji.plugin.derain.synth.RainLayerBank} (random layers for training's rain-layer mixing).
 * Images are float in [0, 1]; planar layouts put x fastest, then y, then channel (ImgLib2 ArrayImg XYC).
 */
package fiji.plugin.derain.synth;
