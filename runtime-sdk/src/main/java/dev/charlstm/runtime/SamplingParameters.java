package dev.charlstm.runtime;

import java.io.Serializable;

/**
 * How to pick the next character from the logits. Immutable, thread-safe and serializable.
 *
 * @param greedy always take the most likely character (arg max; ties go to the lowest id)
 * @param temperature divides the logits; below 1 sharpens, above 1 flattens; must be positive
 * @param topK keep only the k most likely characters; 0 = all
 * @param topP keep the smallest set of most likely characters whose probability reaches p; 1 = all
 * @param repetitionPenalty divides positive (multiplies negative) logits of characters already in the stream's
 *     recent text, as in CTRL; 1 = none
 */
public record SamplingParameters(boolean greedy, float temperature, int topK, float topP, float repetitionPenalty)
        implements Serializable {

    /** Validates the values. */
    public SamplingParameters {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty >= 1) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition penalty must be >= 1 (1 = off), got " + repetitionPenalty);
        }
    }
}
