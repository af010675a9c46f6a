package dev.charlstm.runtime.internal;

import dev.charlstm.runtime.SamplingParameters;
import java.nio.FloatBuffer;

/**
 * Picks the next character from a row of logits: repetition penalty, temperature, top-k, top-p, then a
 * multinomial draw (or arg max when greedy). Works in arrays allocated once for the vocabulary size, so a step
 * allocates nothing.
 *
 * <p>Not thread-safe: one sampler per stream (or per batch row).
 */
public final class LogitSampler {

    private final float[] logits;
    private final float[] probs;
    private final int[] order;
    private final int[] heap;
    private final int[] heapScratch;

    /** @param vocabSize V */
    public LogitSampler(int vocabSize) {
        logits = new float[vocabSize];
        probs = new float[vocabSize];
        order = new int[vocabSize];
        heap = new int[vocabSize];
        heapScratch = new int[vocabSize];
    }

    /**
     * @param source the logits buffer
     * @param offset index of this row's first logit
     * @param p how to sample
     * @param recent ids of recently generated/fed characters (for the repetition penalty); may be null
     * @param recentCount how many entries of {@code recent} are valid
     * @param rng the stream's random generator (advanced once per draw, never when greedy)
     * @return the chosen id
     */
    public int sample(
            FloatBuffer source, int offset, SamplingParameters p, int[] recent, int recentCount, SplitMix64 rng) {
        int v = logits.length;
        source.get(offset, logits, 0, v);
        if (p.repetitionPenalty() != 1f && recent != null) {
            penalise(recent, recentCount, p.repetitionPenalty());
        }
        if (p.greedy() || p.topK() == 1) {
            return argMax();
        }
        float inverseT = 1f / p.temperature();
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            float e = (float) Math.exp((logits[i] - max) * inverseT);
            probs[i] = e;
            sum += e;
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            return argMax(); // all mass underflowed at a tiny temperature: the limit is greedy
        }
        if (p.topK() > 0 && p.topK() < v || p.topP() < 1f) {
            int limit = p.topK() > 0 ? Math.min(p.topK(), v) : v;
            double threshold = p.topP() < 1f ? p.topP() * sum : Double.POSITIVE_INFINITY;
            int candidates = topCandidates(limit, threshold);
            double kept = 0;
            for (int i = 0; i < candidates; i++) {
                kept += probs[order[i]];
            }
            double u = rng.nextDouble() * kept;
            for (int i = 0; i < candidates; i++) {
                u -= probs[order[i]];
                if (u < 0) {
                    return order[i];
                }
            }
            return order[candidates - 1];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < v; i++) {
            u -= probs[i];
            if (u < 0) {
                return i;
            }
        }
        int last = v - 1;
        while (last > 0 && probs[last] == 0) {
            last--;
        }
        return last;
    }

    private void penalise(int[] recent, int count, float penalty) {
        // Each distinct id once: mark with the sign trick on a scratch array.
        for (int i = 0; i < count; i++) {
            heapScratch[recent[i]] = 0;
        }
        for (int i = 0; i < count; i++) {
            int id = recent[i];
            if (heapScratch[id] == 0) {
                heapScratch[id] = 1;
                logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
            }
        }
    }

    private int argMax() {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Fills {@code order} with the most probable ids, most probable first (ties by lower id), until {@code limit}
     * ids are taken or their probabilities add up to {@code threshold} (the id that reaches it included): top-k and
     * top-p in one pass. A heap of all V ids is built in O(V) and popped once per id taken, so a step costs
     * O(V + m log V) for m ids kept, not the O(V²) of sorting the whole vocabulary every character.
     *
     * @return how many ids {@code order} holds (at least 1)
     */
    private int topCandidates(int limit, double threshold) {
        int n = logits.length;
        for (int i = 0; i < n; i++) {
            heap[i] = i;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(i, n);
        }
        int taken = 0;
        double cumulative = 0;
        while (taken < limit && n > 0) {
            int top = heap[0];
            order[taken++] = top;
            cumulative += probs[top];
            if (cumulative >= threshold) {
                break;
            }
            heap[0] = heap[--n];
            siftDown(0, n);
        }
        return taken;
    }

    /** Whether id a comes before id b: more probable, or as probable and a lower id. */
    private boolean before(int a, int b) {
        return probs[a] > probs[b] || probs[a] == probs[b] && a < b;
    }

    private void siftDown(int i, int n) {
        int id = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], id)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = id;
    }
}
