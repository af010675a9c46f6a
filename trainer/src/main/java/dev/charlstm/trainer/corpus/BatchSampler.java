package dev.charlstm.trainer.corpus;

import java.util.SplittableRandom;

/**
 * Draws training batches as the tutorial does: random windows of {@code seqLen + 1} ids from the training part;
 * the input is a window's first {@code seqLen} ids and the target its last {@code seqLen} (shifted by one).
 *
 * <p>Batch {@code k} depends only on the seed and {@code k}, not on the batches drawn before it, so a resumed
 * run draws exactly the batches the uninterrupted run would have: the sampler's whole RNG state is
 * (seed, batch index).
 *
 * <p>Not thread-safe: {@link #batch(long)} fills the same reused arrays on every call.
 */
public final class BatchSampler {

    private final int[] ids;
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
        if (ids.length < seqLen + 1) {
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
        int maxStart = ids.length - seqLen - 1; // inclusive: the last window ends at the last id
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(maxStart + 1);
            starts[b] = start;
            System.arraycopy(ids, start, inputs, b * seqLen, seqLen);
            System.arraycopy(ids, start + 1, targets, b * seqLen, seqLen);
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

    /** @return the inputs of the last batch, row-major [batchSize, seqLen]; reused by the next call */
    public int[] inputs() {
        return inputs;
    }

    /** @return the targets of the last batch, row-major [batchSize, seqLen]; reused by the next call */
    public int[] targets() {
        return targets;
    }

    /** @return the start offsets of the last batch's windows; reused by the next call */
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
