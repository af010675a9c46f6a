package dev.charlstm.trainer.corpus;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws training batches as the tutorial does: random windows of {@code seqLen + 1} ids from the training part;
 * the input is a window's first {@code seqLen} ids and the target its last {@code seqLen} (shifted by one). For a
 * list ({@link #items}) a batch is {@code batchSize} random items instead, each from its leading {@code '\n'}: the
 * input is {@code '\n'} and the item's characters, the target the characters and the end, both padded to the
 * longest item of the batch ({@link #steps()}), the padding's targets {@link #PAD}.
 *
 * <p>Batch {@code k} depends only on the seed and {@code k}, not on the batches drawn before it, so a resumed
 * run draws exactly the batches the uninterrupted run would have: the sampler's whole RNG state is
 * (seed, batch index).
 *
 * <p>Not thread-safe: {@link #batch(long)} fills the same reused arrays on every call.
 */
public final class BatchSampler {

    /** The target of a padding position, which the loss ignores. */
    public static final int PAD = -1;

    private final int[] ids;
    /** For a list: each item's leading '\n' and the final end (null for a text). */
    private final int[] itemStarts;

    private int steps;
    private final int batchSize;
    private final int seqLen;
    private final long seed;
    private final int[] inputs;
    private final int[] targets;
    private final int[] starts;

    /**
     * @param ids the training ids
     * @param batchSize windows per batch
     * @param seqLen window length (input and target length)
     * @param seed the seed of the batch sequence
     */
    public BatchSampler(int[] ids, int batchSize, int seqLen, long seed) {
        this(ids, null, batchSize, seqLen, seed);
    }

    /**
     * A sampler of a list's items.
     *
     * @param ids a list's training part ({@code Split.train()})
     * @param itemStarts where its items start ({@code Split.trainItems()})
     * @param batchSize items per batch
     * @param seqLen at least the longest item's length + 1
     * @param seed the seed of the batch sequence
     * @return the sampler
     */
    public static BatchSampler items(int[] ids, int[] itemStarts, int batchSize, int seqLen, long seed) {
        return new BatchSampler(ids, itemStarts, batchSize, seqLen, seed);
    }

    private BatchSampler(int[] ids, int[] itemStarts, int batchSize, int seqLen, long seed) {
        this.itemStarts = itemStarts;
        this.steps = seqLen;
        if (itemStarts == null && ids.length < seqLen + 1) {
            throw new IllegalArgumentException(
                    "text of " + ids.length + " ids is shorter than one window of " + (seqLen + 1));
        }
        this.ids = ids;
        this.batchSize = batchSize;
        this.seqLen = seqLen;
        this.seed = seed;
        this.inputs = new int[batchSize * seqLen];
        this.targets = new int[batchSize * seqLen];
        this.starts = new int[batchSize];
    }

    /**
     * Fills the input and target arrays with batch {@code index}.
     *
     * @param index the batch number (the training iteration)
     */
    public void batch(long index) {
        SplittableRandom rng = new SplittableRandom(batchSeed(seed, index));
        if (itemStarts != null) {
            itemBatch(rng);
            return;
        }
        int maxStart = ids.length - seqLen - 1; // inclusive: the last window ends at the last id
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(maxStart + 1);
            starts[b] = start;
            System.arraycopy(ids, start, inputs, b * seqLen, seqLen);
            System.arraycopy(ids, start + 1, targets, b * seqLen, seqLen);
        }
    }

    private void itemBatch(SplittableRandom rng) {
        int items = itemStarts.length - 1;
        int longest = 1;
        for (int b = 0; b < batchSize; b++) {
            int k = rng.nextInt(items);
            starts[b] = k;
            longest = Math.max(longest, itemStarts[k + 1] - itemStarts[k]);
        }
        steps = longest; // the longest item's characters + its end
        for (int b = 0; b < batchSize; b++) {
            int from = itemStarts[starts[b]];
            int length = itemStarts[starts[b] + 1] - from;
            System.arraycopy(ids, from, inputs, b * steps, length);
            System.arraycopy(ids, from + 1, targets, b * steps, length);
            Arrays.fill(inputs, b * steps + length, (b + 1) * steps, ids[itemStarts[0]]);
            Arrays.fill(targets, b * steps + length, (b + 1) * steps, PAD);
        }
    }

    /**
     * The seed of batch {@code index}: both numbers pass through SplitMix64's finaliser, so the seeds of
     * consecutive batches are unrelated. (Seeds that differ by SplittableRandom's own gamma would make batch k+1
     * batch k shifted by one window: the same windows, over and over.)
     */
    static long batchSeed(long seed, long index) {
        return mix64(mix64(seed) ^ mix64(index + 0x632BE59BD9B4E019L));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * @return the time steps of the last batch: {@link #seqLen()} for a text, the longest item's length + 1 for a list
     */
    public int steps() {
        return steps;
    }

    /**
     * @return the inputs of the last batch, row-major [batchSize, steps()] in the first batchSize·steps() entries;
     *     reused by the next call
     */
    public int[] inputs() {
        return inputs;
    }

    /** @return the targets of the last batch, as {@link #inputs()}, padding {@link #PAD}; reused by the next call */
    public int[] targets() {
        return targets;
    }

    /** @return the start offsets of the last batch's windows (for a list: its items' numbers); reused */
    public int[] starts() {
        return starts;
    }

    /** @return windows per batch */
    public int batchSize() {
        return batchSize;
    }

    /** @return the window length */
    public int seqLen() {
        return seqLen;
    }
}
