package dev.charlstm.runtime;

/** A prompt holds a character the model's vocabulary lacks (with {@link UnknownCharacterPolicy#ERROR}). Immutable. */
public final class UnknownCharacterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int codePoint;
    private final int index;

    UnknownCharacterException(int codePoint, int index) {
        super("character " + Vocabulary.describe(codePoint) + " at index " + index
                + " of the prompt is not in the model's vocabulary (use UnknownCharacterPolicy SKIP or REPLACE)");
        this.codePoint = codePoint;
        this.index = index;
    }

    /** @return the unknown code point */
    public int codePoint() {
        return codePoint;
    }

    /** @return its index in the prompt, in code points */
    public int index() {
        return index;
    }
}
