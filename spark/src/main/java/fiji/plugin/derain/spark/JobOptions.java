package fiji.plugin.derain.spark;

import fiji.plugin.derain.io.ImageFiles;
import fiji.plugin.derain.predict.DerainBatch;
import fiji.plugin.derain.predict.Derainer;

import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What every task needs besides its input: the options of {@code bin/derain run}, where outputs go and how many
 * threads libtorch may use on an executor.
 *
 * @param out the output folder, a qualified Hadoop URI ({@code file:/...}, {@code hdfs://...}, {@code s3a://...})
 * @param format "auto", "png", "tiff" or "jpeg", as {@code derain run --format}
 * @param device "auto", "cpu" or "gpu", as {@code derain run --device}
 * @param threads libtorch's intra-op threads on an executor (its cores); 0 = the executor machine's processors
 */
public record JobOptions(String out, int tileSize, int overlap, String format, boolean overwrite, String device,
	int threads) implements Serializable {

	/** Checks the values the way {@code derain run} does; throws IllegalArgumentException naming the option. */
	public JobOptions {
		new Derainer.Settings(tileSize, overlap, null);
		DerainBatch.parseFormat(format);
	}

	public Derainer.Settings settings() {
		return new Derainer.Settings(tileSize, overlap, null);
	}

	/** The output's file name for an input file name: {@code derain run}'s naming ({@link DerainBatch#outputFor}). */
	public String outputName(String inputName) {
		ImageFiles.Format f = DerainBatch.parseFormat(format);
		return DerainBatch.outputFor(Paths.get("out"), f, Path.of(inputName)).getFileName().toString();
	}
}
