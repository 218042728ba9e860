package fiji.plugin.derain.net;

import java.util.Locale;

/**
 * Architecture hyper-parameters of the GT-RAIN Deformable-ResNet. Everything that distinguishes one
 * variant from another (GT-RAIN's LeakyReLU/BatchNorm/normal init, the UG²⁺ report's Mish/Kaiming)
 * lives here and is saved with the model; no code path hard-codes it.
 *
 * @param ngf base channel count (64 in GT-RAIN)
 * @param nBlocks number of deformable residual blocks (9 in GT-RAIN)
 * @param activation activation after every conv+norm pair
 * @param norm normalisation after every conv
 * @param init weight initialisation for a freshly built network
 */
public record DerainConfig(int ngf, int nBlocks, Activation activation, Norm norm, Init init) {

	/** GT-RAIN's published defaults: ngf 64, 9 blocks, LeakyReLU(0.1), BatchNorm, normal(0, 0.02). */
	public static final DerainConfig GTRAIN = new DerainConfig(64, 9, Activation.LEAKY, Norm.BATCH, Init.NORMAL);

	public DerainConfig {
		if (ngf < 1) throw new IllegalArgumentException("ngf must be at least 1, got " + ngf);
		if (nBlocks < 0) throw new IllegalArgumentException("n_blocks must be at least 0, got " + nBlocks);
		if (activation == null || norm == null || init == null)
			throw new IllegalArgumentException("activation, norm and init must all be given");
		if (init == Init.IDENTITY && (ngf < IdentityInit.CHANNELS || activation != Activation.LEAKY || norm != Norm.BATCH))
			throw new IllegalArgumentException("init identity needs ngf of at least " + IdentityInit.CHANNELS
				+ ", activation leaky and norm batch (it carries the colours through LeakyReLU and frozen BatchNorm), got"
				+ " ngf " + ngf + ", " + activation.id() + ", " + norm.id());
	}

	public DerainConfig withActivation(Activation a) {
		return new DerainConfig(ngf, nBlocks, a, norm, init);
	}

	/** Activation function; {@code LEAKY} is LeakyReLU with slope 0.1. */
	public enum Activation {
		LEAKY, MISH;

		public static Activation parse(String s) {
			return Enums.parse(Activation.class, "activation", s);
		}

		public String id() {
			return name().toLowerCase(Locale.ROOT);
		}
	}

	/** Normalisation layer; convs carry a bias only with {@code INSTANCE}. */
	public enum Norm {
		BATCH, INSTANCE;

		public static Norm parse(String s) {
			return Enums.parse(Norm.class, "norm", s);
		}

		public String id() {
			return name().toLowerCase(Locale.ROOT);
		}
	}

	/**
	 * Weight initialisation; offset and modulator convs always start at zero. {@code IDENTITY} (not in GT-RAIN):
	 * Kaiming, then set so that the untrained network returns its input ({@link IdentityInit}); train it with
	 * frozen BatchNorm.
	 */
	public enum Init {
		NORMAL, KAIMING, XAVIER, IDENTITY;

		public static Init parse(String s) {
			return Enums.parse(Init.class, "init", s);
		}

		public String id() {
			return name().toLowerCase(Locale.ROOT);
		}
	}

	private static final class Enums {
		private Enums() {}

		static <E extends Enum<E>> E parse(Class<E> type, String what, String s) {
			for (E e : type.getEnumConstants())
				if (e.name().equalsIgnoreCase(s == null ? "" : s.trim())) return e;
			StringBuilder allowed = new StringBuilder();
			for (E e : type.getEnumConstants())
				allowed.append(allowed.length() == 0 ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
			throw new IllegalArgumentException("unknown " + what + " '" + s + "': use " + allowed);
		}
	}
}
