package dev.charlstm.cli.bench;

import dev.charlstm.runtime.SamplingParameters;
import dev.charlstm.runtime.internal.LogitSampler;
import dev.charlstm.runtime.internal.SplitMix64;
import java.nio.FloatBuffer;
import java.util.Random;

/**
 * The sampler alone at given vocabulary sizes: draws per second with plain multinomial sampling, top-k 40 and top-p
 * 0.9, on logits shaped like a trained model's (a few likely characters, a long tail). What it costs per character
 * beside the graph call, and that it stays O(V) as V grows. Stateless.
 */
public final class SamplingBench {

    private SamplingBench() {}

    /**
     * @param vocabSizes the V to measure
     * @param millis how long to measure each case
     * @return the table
     */
    public static String run(int[] vocabSizes, long millis) {
        StringBuilder sb = new StringBuilder(
                String.format("%-10s %16s %16s %16s%n", "sampling", "plain (draws/s)", "top-k 40", "top-p 0.9"));
        SamplingParameters[] cases = {
            new SamplingParameters(false, 1f, 0, 1f, 1f),
            new SamplingParameters(false, 1f, 40, 1f, 1f),
            new SamplingParameters(false, 1f, 0, 0.9f, 1f)
        };
        for (int v : vocabSizes) {
            float[] logits = new float[v];
            Random r = new Random(v);
            for (int i = 0; i < v; i++) {
                logits[i] = (float) (r.nextGaussian() * 2 - Math.log1p(i)); // a long tail, as a trained head gives
            }
            FloatBuffer row = FloatBuffer.wrap(logits);
            LogitSampler sampler = new LogitSampler(v);
            sb.append(String.format("V %-8d", v));
            for (SamplingParameters p : cases) {
                SplitMix64 rng = new SplitMix64(1);
                for (int i = 0; i < 1000; i++) { // warm-up
                    sampler.sample(row, 0, p, null, 0, rng);
                }
                long draws = 0;
                long start = System.nanoTime();
                long end = start + millis * 1_000_000;
                long now;
                do {
                    for (int i = 0; i < 100; i++) {
                        sampler.sample(row, 0, p, null, 0, rng);
                    }
                    draws += 100;
                    now = System.nanoTime();
                } while (now < end);
                sb.append(String.format(" %16.0f", draws / ((now - start) / 1e9)));
            }
            sb.append(String.format("%n"));
        }
        return sb.toString();
    }
}
