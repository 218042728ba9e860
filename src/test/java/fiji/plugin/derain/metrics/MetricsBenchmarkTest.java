package fiji.plugin.derain.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Timing on a 4000×3000 RGB pair (a 12 MP photo). Off by default, it loads the machine:
 * {@code mvn -B -q -o test -Dtest=MetricsBenchmarkTest -Dderain.bench=true}.
 */
@EnabledIfSystemProperty(named = "derain.bench", matches = "true")
class MetricsBenchmarkTest {
	@Test
	void twelveMegapixelRgb() {
		int w = 4000, h = 3000, c = 3;
		float[] a = new float[w * h * c], b = new float[a.length];
		Random r = new Random(1);
		for (int i = 0; i < a.length; i++) {
			a[i] = r.nextFloat();
			b[i] = Math.min(1, Math.max(0, a[i] + 0.1f * (float) r.nextGaussian()));
		}
		ArrayImg<FloatType, FloatArray> pred = ArrayImgs.floats(a, w, h, c);
		ArrayImg<FloatType, FloatArray> ref = ArrayImgs.floats(b, w, h, c);
		System.out.println("cores: " + Runtime.getRuntime().availableProcessors());
		for (int round = 0; round < 2; round++) {
			for (Convention conv : Convention.values()) {
				long t0 = System.nanoTime();
				Score s = Metrics.score(pred, ref, conv);
				System.out.printf("score %-8s %.2f s  %s%n", conv, (System.nanoTime() - t0) / 1e9, s);
			}
			long t0 = System.nanoTime();
			double p = Metrics.psnr(pred, ref, Convention.STANDARD);
			System.out.printf("psnr     %.2f s  %.4f%n", (System.nanoTime() - t0) / 1e9, p);
			t0 = System.nanoTime();
			double m = Metrics.msSsim(pred, ref);
			System.out.printf("ms-ssim  %.2f s  %.6f%n", (System.nanoTime() - t0) / 1e9, m);
			assertTrue(m > 0 && m < 1);
		}
	}
}
