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

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

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
            throw new IllegalArgumentException("text of " + ids.length + " ids is shorter than one window of "
                    + (seqLen + 1));
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
        SplittableRandom rng = new SplittableRandom(seed + GOLDEN_GAMMA * (index + 1));
        int maxStart = ids.length - seqLen - 1; // inclusive: the last window ends at the last id
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(maxStart + 1);
            starts[b] = start;
            System.arraycopy(ids, start, inputs, b * seqLen, seqLen);
            System.arraycopy(ids, start + 1, targets, b * seqLen, seqLen);
        }
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
