package dev.charlstm.runtime;

import java.util.List;

/**
 * How a generation ended. Immutable and thread-safe.
 *
 * @param text the generated text as emitted (without the prompt; without the stop sequence unless it was emitted)
 * @param finishReason why it ended
 * @param promptCharacters prompt characters fed before generating (after skipping or replacing unknown ones)
 * @param generatedCharacters characters sampled (including any stop sequence not emitted)
 * @param elapsedNanos wall time of the whole call
 * @param firstCharacterNanos time from the call to the first sampled character, or -1 if none
 * @param error what ended a batch request with {@link FinishReason#ERROR}; null otherwise
 * @param logprobs one per character of {@code text} when the options asked for logprobs, else empty
 */
public record GenerationResult(
        String text,
        FinishReason finishReason,
        int promptCharacters,
        int generatedCharacters,
        long elapsedNanos,
        long firstCharacterNanos,
        RuntimeException error,
        List<CharacterLogprob> logprobs) {

    /** Copies the logprobs (null = none). */
    public GenerationResult {
        logprobs = logprobs == null ? List.of() : List.copyOf(logprobs);
    }

    /** A result without logprobs. */
    public GenerationResult(
            String text,
            FinishReason finishReason,
            int promptCharacters,
            int generatedCharacters,
            long elapsedNanos,
            long firstCharacterNanos,
            RuntimeException error) {
        this(
                text,
                finishReason,
                promptCharacters,
                generatedCharacters,
                elapsedNanos,
                firstCharacterNanos,
                error,
                List.of());
    }

    /** @return generated characters per second over the call */
    public double charactersPerSecond() {
        return elapsedNanos == 0 ? 0 : generatedCharacters / (elapsedNanos / 1e9);
    }
}
