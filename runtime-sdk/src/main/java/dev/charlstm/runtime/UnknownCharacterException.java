package dev.charlstm.runtime;

/** A prompt holds a character the model's vocabulary lacks (with {@link UnknownCharacterPolicy#ERROR}). Immutable. */
public final class UnknownCharacterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int codePoint;
    private final int index;
    private final String cleanedPrompt;

    UnknownCharacterException(int codePoint, int index, String cleanedPrompt) {
        super("character " + Vocabulary.describe(codePoint) + " at index " + index + " (0-based, in characters)"
                + " of the prompt" + (cleanedPrompt == null ? "" : " as cleaned (" + quote(cleanedPrompt) + ")")
                + " is not in the model's vocabulary (use UnknownCharacterPolicy SKIP or REPLACE)");
        this.codePoint = codePoint;
        this.index = index;
        this.cleanedPrompt = cleanedPrompt;
    }

    private static String quote(String s) {
        return '"'
                + (s.length() > 80
                        ? s.substring(0, s.offsetByCodePoints(0, Math.min(77, s.codePointCount(0, s.length())))) + "..."
                        : s)
                + '"';
    }

    /**
     * @return the prompt {@link #index()} counts in, when cleaning changed the prompt as given (runs of spaces and
     *     line breaks become one space, the manifest's cleaning rules apply), else null: the index is then in the
     *     prompt as given
     */
    public String cleanedPrompt() {
        return cleanedPrompt;
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
