package fiji.plugin.derain.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * The K-th of N deterministic shares of a batch's inputs, for job arrays that split one batch with no coordination
 * (SLURM {@code sbatch --array=1-N}, one {@code derain run --shard K/N} per task). The inputs must be given sorted
 * and without duplicates; input {@code i} (0-based) belongs to share {@code i mod N + 1}, so every input is in
 * exactly one share, shares differ in size by at most one, and neighbouring files (one camera's frames) spread
 * over all shares. {@code K} is 1-based, as SLURM's array task ids.
 *
 * @param index K, from 1 to {@code count}
 * @param count N, at least 1
 */
public record Shard(int index, int count) {
	/** The whole batch (share 1 of 1). */
	public static final Shard ALL = new Shard(1, 1);

	/** @throws IllegalArgumentException unless {@code 1 <= index <= count} */
	public Shard {
		if (count < 1 || index < 1 || index > count)
			throw new IllegalArgumentException("--shard K/N needs 1 <= K <= N, got " + index + "/" + count);
	}

	/**
	 * Parses {@code K/N}, e.g. {@code 3/16}.
	 *
	 * @throws IllegalArgumentException naming {@code --shard} and the expected form
	 */
	public static Shard parse(String spec) {
		String s = spec == null ? "" : spec.trim();
		int slash = s.indexOf('/');
		try {
			if (slash > 0) return new Shard(Integer.parseInt(s.substring(0, slash).trim()),
				Integer.parseInt(s.substring(slash + 1).trim()));
		} catch (NumberFormatException e) {
			// the message below says what is expected
		}
		throw new IllegalArgumentException("--shard must be K/N (share K of N, 1 <= K <= N, e.g. 3/16), got '" + spec
			+ "'");
	}

	/** This share of {@code sortedInputs} (sorted, distinct), in their order. */
	public <T> List<T> of(List<T> sortedInputs) {
		List<T> mine = new ArrayList<>();
		for (int i = index - 1; i < sortedInputs.size(); i += count)
			mine.add(sortedInputs.get(i));
		return mine;
	}

	@Override
	public String toString() {
		return index + "/" + count;
	}
}
