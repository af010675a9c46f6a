package dev.charlstm.runtime;

import java.util.Objects;

/**
 * One request of a batch: a prompt and its own options (seed, length, stop sequences, sampling). A request's
 * result depends only on the request and the model, never on the batch it is in or its position there.
 * Immutable and thread-safe.
 *
 * @param prompt the text to continue; must not be empty (after skipping unknown characters, if the options say so)
 * @param options how to generate it
 */
public record GenerationRequest(String prompt, GenerationOptions options) {

    /** Checks that neither is null. */
    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
    }

    /**
     * @param prompt the text to continue
     * @param options how to generate it
     * @return the request
     */
    public static GenerationRequest of(String prompt, GenerationOptions options) {
        return new GenerationRequest(prompt, options);
    }
}
