package dev.charlstm.runtime;

/** A prompt holds a character the model's vocabulary lacks (with {@link UnknownCharacterPolicy#ERROR}). Immutable. */
public final class UnknownCharacterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int codePoint;
    private final int index;

    UnknownCharacterException(int codePoint, int index) {
        super("character " + Vocabulary.describe(codePoint) + " at index " + index + " (0-based, in characters)"
                + " of the prompt is not in the model's vocabulary (use UnknownCharacterPolicy SKIP or REPLACE)");
        this.codePoint = codePoint;
        this.index = index;
    }

    /** @return the unknown code point */
    public int codePoint() {
        return codePoint;
    }

    /**
     * @return its index in the prompt, 0-based, in code points (after normalisation, and after cleaning when the
     *     options ask for it): every message in charlstm counts positions this way
     */
    public int index() {
        return index;
    }
}
