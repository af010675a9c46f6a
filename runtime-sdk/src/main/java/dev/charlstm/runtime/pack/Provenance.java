package dev.charlstm.runtime.pack;

/**
 * Where a model came from and how well it did: what a user needs to trust a model they did not train. Every field
 * may be null for a package produced by another tool. Immutable and thread-safe.
 *
 * @param producer the tool and version that wrote the package, e.g. {@code charlstm 0.1.0}
 * @param createdAt when the package was written, ISO-8601 UTC
 * @param corpusName the corpus's name: the last element of the path the trainer read it from (no folders)
 * @param corpusSha256 SHA-256 of the cleaned training text in UTF-8, hex
 * @param corpusCharacters code points in the cleaned training text
 * @param iterations training iterations behind the weights
 * @param valLoss validation loss in nats per character: the mean cross-entropy over the held-out last
 *     {@code valFraction} of the cleaned corpus, in consecutive windows of {@code valWindow} characters, each from
 *     zero state
 * @param valFraction the share of the cleaned corpus, at its end, held out for validation
 * @param valWindow the window length of the validation loss, in characters
 */
public record Provenance(
        String producer,
        String createdAt,
        String corpusName,
        String corpusSha256,
        Long corpusCharacters,
        Integer iterations,
        Double valLoss,
        Double valFraction,
        Integer valWindow) {

    /** Nothing known. */
    public static final Provenance UNKNOWN = new Provenance(null, null, null, null, null, null, null, null, null);

    /** @return the validation loss in bits per character, or null */
    public Double valBitsPerChar() {
        return valLoss == null ? null : valLoss / Math.log(2);
    }
}
