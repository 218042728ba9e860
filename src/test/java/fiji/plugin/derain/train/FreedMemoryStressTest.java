package fiji.plugin.derain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fiji.plugin.derain.command.CommandFixtures;
import fiji.plugin.derain.net.DerainConfig;
import fiji.plugin.derain.net.DerainNet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Use-after-free made visible instead of lucky. Training steps of the real network (MS-SSIM, L1 and rain-robust
 * losses, rain augmentation, gradient checkpointing, BatchNorm recalibration, a resume from a checkpoint on disk)
 * run in a child JVM twice: once plainly, once with the
 * garbage collector forced between every forward and backward pass and glibc poisoning every freed byte
 * ({@code MALLOC_PERTURB_}, with the per-thread cache off so that small chunks are poisoned too), both on one
 * thread so that the plain run is reproducible to the bit. Any array
 * autograd keeps whose memory is a Java buffer freed by the GC then reads poison (or an unmapped page) in the
 * backward pass; the losses and weights must come out bit for bit the same as the plain run's.
 *
 * <p>It fails when an array made from Java data reaches autograd without a libtorch copy: with
 * {@code TorchArrays.constant} returning the Java-backed array itself, the stressed child dies in backward with
 * "index 140413889415232 is out of bounds for dimension 0 with size 26896" (the reflection-padding indices).
 */
class FreedMemoryStressTest {
	@TempDir
	Path tmp;

	static final TrainConfig CONFIG = TrainConfig.defaults().with(b -> {
		b.epochs = 2;
		b.stepsPerEpoch = 2;
		b.warmupEpochs = 1;
		b.batchSize = 2;
		b.patchSize = TrainConfig.MIN_SSIM_SIZE + 3; // 164: all five MS-SSIM scales
		b.bnBatches = 1;
		b.valFraction = 0;
		b.seed = 11;
		b.device = "cpu";
		b.net = new DerainConfig(4, 2, DerainConfig.Activation.MISH, DerainConfig.Norm.BATCH, DerainConfig.Init.NORMAL);
	});

	@Test
	void forcedCollectionsAndPoisonedFreesChangeNoBit() throws Exception {
		Path data = CommandFixtures.trainingPairs(tmp.resolve("data"), 3, 176);
		byte[] plain = run(data, tmp.resolve("plain.bin"), false);
		byte[] stressed = run(data, tmp.resolve("stressed.bin"), true);
		assertEquals(plain.length, stressed.length);
		assertArrayEquals(plain, stressed, "losses and weights after a GC between forward and backward, with freed"
			+ " memory poisoned, differ from the plain run: autograd used freed memory");
	}

	private byte[] run(Path data, Path out, boolean stress) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-Xmx1g", "-cp", System.getProperty("java.class.path"), Child.class.getName(),
			data.toString(), out.toString(), Boolean.toString(stress)));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
			.redirectOutput(tmp.resolve(out.getFileName() + ".log").toFile());
		// one thread: with two, libtorch's reductions may split differently from run to run (last-bit differences)
		pb.environment().put("OMP_NUM_THREADS", "1");
		if (stress) {
			pb.environment().put("MALLOC_PERTURB_", "204");
			pb.environment().put("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0");
		}
		Process p = pb.start();
		if (!p.waitFor(240, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("the training child did not finish in 240 s");
		}
		String log = Files.readString(tmp.resolve(out.getFileName() + ".log"));
		assertEquals(0, p.exitValue(), "training child " + (stress ? "(stressed) " : "") + "failed:\n" + log);
		return Files.readAllBytes(out);
	}

	/** The child process: trains, then writes every step's losses and the final state dict as raw bits. */
	public static final class Child {
		public static void main(String[] args) throws Exception {
			Path data = Path.of(args[0]), out = Path.of(args[1]);
			boolean stress = Boolean.parseBoolean(args[2]);
			try (NDManager m = NDManager.newBaseManager(); OutputStream file = Files.newOutputStream(out);
				DataOutputStream bits = new DataOutputStream(file)) {
				Engine.getInstance().setRandomSeed(7);
				Trainee t = new Trainee(m, data, stress);
				while (!t.trainer.finished()) {
					DerainTrainer.StepResult r = t.trainer.trainStep();
					for (double v : new double[] {r.total(), r.ssim(), r.l1(), r.robust()})
						bits.writeLong(Double.doubleToRawLongBits(v));
					if (t.trainer.step() % t.trainer.stepsPerEpoch() != 0) continue;
					t.trainer.recalibrateBatchNorm();
					// halfway, continue in a new network and trainer from a checkpoint on disk (weights and Adam
					// state loaded from Java buffers into the network's arrays)
					Path checkpoint = out.resolveSibling(out.getFileName() + ".checkpoint");
					try (NDManager cm = m.newSubManager()) {
						t.trainer.checkpoint(cm).save(checkpoint);
					}
					t = new Trainee(m, data, stress);
					try (NDManager cm = m.newSubManager()) {
						t.trainer.restore(TrainingCheckpoint.load(checkpoint, cm));
					}
				}
				for (Map.Entry<String, NDArray> e : t.net.stateDict().entrySet()) {
					bits.writeUTF(e.getKey());
					for (float v : e.getValue().toType(DataType.FLOAT32, true).toFloatArray())
						bits.writeInt(Float.floatToRawIntBits(v));
				}
			}
		}

		/** A real network and its trainer; stressed: a full GC between each forward and backward pass. */
		private static final class Trainee {
			final DerainNet net;
			final DerainTrainer trainer;

			Trainee(NDManager m, Path data, boolean stress) throws IOException {
				net = DerainNet.build(CONFIG.net());
				net.initialize(m, DataType.FLOAT32, new Shape(1, 3, CONFIG.patchSize(), CONFIG.patchSize()));
				trainer = new DerainTrainer(CONFIG, new DerainNetTrainable(net, m, !Boolean.getBoolean("stress.record")),
					PairDataset.folderPairs(data.resolve("rainy"), data.resolve("clean")), TrainingRun.rainSource(),
					new ImageCache(1L << 26), m);
				if (stress) trainer.observe(new DerainTrainer.StepObserver() {
					@Override
					public void beforeBackward() {
						collectGarbage();
					}
				});
			}
		}

		/** A full collection, and time for the reference handler to free the direct buffers it found dead. */
		static void collectGarbage() {
			for (int i = 0; i < 2; i++) {
				System.gc();
				try {
					Thread.sleep(50);
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			}
		}
	}
}
