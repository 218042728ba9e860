package fiji.plugin.derain.net;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Weight initialisation of a fresh network, as GT-RAIN's pix2pix-style {@code init_weights}: conv weights
 * normal(0, 0.02) | Kaiming normal (fan-in, gain √2) | Xavier normal (gain 0.02); conv biases 0;
 * BatchNorm weight normal(1, 0.02), bias 0; offset and modulator convs 0 (a new deformable conv is a plain
 * conv with mask 1).
 */
final class Initializers {
	private Initializers() {}

	static final float GAIN = 0.02f;

	static final Initializer ZEROS = (manager, shape, dataType) -> manager.zeros(shape, dataType);
	static final Initializer ONES = (manager, shape, dataType) -> manager.ones(shape, dataType);
	static final Initializer BATCH_NORM_WEIGHT = (manager, shape, dataType) -> manager.randomNormal(1f, GAIN,
		shape, dataType);

	/** Initializer for a conv weight of shape (out, in, kh, kw). */
	static Initializer convWeight(DerainConfig.Init init) {
		return (manager, shape, dataType) -> manager.randomNormal(0f, std(init, shape), shape, dataType);
	}

	static float std(DerainConfig.Init init, Shape shape) {
		long receptive = shape.get(2) * shape.get(3);
		double fanIn = shape.get(1) * receptive, fanOut = shape.get(0) * receptive;
		switch (init) {
			case NORMAL:
				return GAIN;
			case KAIMING:
			case IDENTITY: // Kaiming, then IdentityInit sets the identity paths
				return (float) Math.sqrt(2.0 / fanIn);
			case XAVIER:
				return (float) (GAIN * Math.sqrt(2.0 / (fanIn + fanOut)));
			default:
				throw new IllegalArgumentException("unknown init " + init);
		}
	}
}
