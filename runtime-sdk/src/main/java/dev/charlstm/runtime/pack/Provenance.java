package dev.charlstm.runtime.pack;

import java.util.Map;

/**
 * Where a model came from. Every field may be null for a package produced by another tool. Immutable and
 * thread-safe.
 *
 * @param producer the tool and version that wrote the package, e.g. {@code charlstm 0.1.0}
 * @param createdAt when the package was written, ISO-8601 UTC
 * @param corpusSource the corpus's name: the last element of the path the trainer read it from (no folders)
 * @param corpusSha256 SHA-256 of the cleaned training text in UTF-8
 * @param corpusCharacters code points in the cleaned training text
 * @param iterations training iterations behind the weights
 * @param valLoss validation loss in nats per character (mean cross-entropy, consecutive windows from zero state)
 * @param training the training configuration, as recorded (free-form; unmodifiable)
 */
public record Provenance(String producer, String createdAt, String corpusSource, String corpusSha256,
        Long corpusCharacters, Integer iterations, Double valLoss, Map<String, Object> training) {

    /** Makes the training map unmodifiable. */
    public Provenance {
        training = training == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(training));
    }

    /** @return the validation loss in bits per character, or null */
    public Double valBitsPerChar() {
        return valLoss == null ? null : valLoss / Math.log(2);
    }
}
