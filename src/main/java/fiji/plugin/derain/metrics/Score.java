package fiji.plugin.derain.metrics;

/**
 * PSNR (dB) and SSIM of one image pair under one {@link Convention}. PSNR is
 * {@link Double#POSITIVE_INFINITY} for identical images.
 */
public record Score(double psnr, double ssim) {}
