package dev.charlstm.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlstm.runtime.SamplingParameters;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Top-k and top-p pick exactly what sorting the whole vocabulary would (most probable first, ties by lower id), so
 * a seed draws the same characters as before the sampler stopped sorting; at V = 80, 1,000 and 8,000, with ties.
 */
class LogitSamplerTest {

    @Test
    void topKAndTopPDrawWhatAFullSortDraws() {
        for (int v : new int[] {80, 1000, 8000}) {
            Random r = new Random(v);
            LogitSampler sampler = new LogitSampler(v);
            for (SamplingParameters p : new SamplingParameters[] {
                new SamplingParameters(false, 1f, 40, 1f, 1f),
                new SamplingParameters(false, 0.8f, 0, 0.9f, 1f),
                new SamplingParameters(false, 1.2f, 5, 0.5f, 1f),
                new SamplingParameters(false, 1f, v - 1, 0.999f, 1f),
                new SamplingParameters(false, 1f, 0, 0.01f, 1f)
            }) {
                SplitMix64 a = new SplitMix64(7);
                SplitMix64 b = new SplitMix64(7);
                for (int draw = 0; draw < (v > 1000 ? 20 : 200); draw++) {
                    float[] logits = new float[v];
                    for (int i = 0; i < v; i++) {
                        // a few distinct values among many: ties everywhere
                        logits[i] = draw % 2 == 0 ? (float) r.nextGaussian() * 3 : r.nextInt(6);
                    }
                    int got = sampler.sample(FloatBuffer.wrap(logits), 0, p, null, 0, a);
                    assertEquals(reference(logits, p, b), got, "V " + v + ", " + p + ", draw " + draw);
                }
            }
        }
    }

    /** The sampler as it was: softmax, an insertion sort of the whole vocabulary, top-k, then top-p, then a draw. */
    private static int reference(float[] logits, SamplingParameters p, SplitMix64 rng) {
        int v = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        float[] probs = new float[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            probs[i] = (float) Math.exp((logits[i] - max) * (1f / p.temperature()));
            sum += probs[i];
        }
        int[] order = new int[v];
        for (int i = 0; i < v; i++) {
            int j = i - 1;
            while (j >= 0 && probs[order[j]] < probs[i]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = i;
        }
        int candidates = p.topK() > 0 ? Math.min(v, p.topK()) : v;
        if (p.topP() < 1f) {
            double cumulative = 0;
            int keep = 0;
            while (keep < candidates) {
                cumulative += probs[order[keep++]];
                if (cumulative >= p.topP() * sum) {
                    break;
                }
            }
            candidates = keep;
        }
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
}
