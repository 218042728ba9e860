/**
 * Full-reference image metrics, exact and in pure Java (no DJL, no GPU): {@link
 * fiji.plugin.derain.metrics.Metrics} computes PSNR, SSIM in the {@code standard} (Wang et al. 2004) and
 * {@code gtrain} (scikit-image 0.19 defaults, as GT-RAIN reported) {@link
 * fiji.plugin.derain.metrics.Convention}s, and piq's MS-SSIM. The references are
 * {@code tools/make_metric_fixtures.py}; the tests hold the engine to them at 1e-6 relative (it agrees
 * to ~1e-14).
 * <p>
 * Border handling: both scikit-image calls filter with mode 'reflect' and then crop (window − 1)/2 px
 * before averaging, which keeps exactly the window positions that lie inside the image; piq convolves
 * without padding. So every SSIM here is the mean over "valid" windows and never reads padding.
 */
package fiji.plugin.derain.metrics;
