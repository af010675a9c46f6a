package dev.charlstm.runtime;

/** What to do with prompt characters that are not in the model's vocabulary. Immutable and thread-safe. */
public enum UnknownCharacterPolicy {
    /** Fail with an {@link UnknownCharacterException} naming the character (U+XXXX) and its index. The default. */
    ERROR,
    /** Leave the character out. */
    SKIP,
    /** Feed a replacement character instead ({@link GenerationOptions.Builder#replacement(int)}). */
    REPLACE
}
