package dev.charlstm.trainer.corpus;

import java.util.Objects;

/**
 * How raw text files become the training text. The defaults clean as the tutorial does: lines are joined with a
 * single space, runs of whitespace become one space, and files are joined with a single space.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class CleaningOptions {

    /** The tutorial's cleaning: no dropped lines, newlines become spaces. */
    public static final CleaningOptions DEFAULT = builder().build();

    private final String dropLinesContaining;
    private final boolean keepNewlines;
    private final boolean normalizeNfc;

    private CleaningOptions(Builder b) {
        this.dropLinesContaining = b.dropLinesContaining;
        this.keepNewlines = b.keepNewlines;
        this.normalizeNfc = b.normalizeNfc;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return lines containing this marker are dropped (the tutorial drops its books' {@code Page} headers); null: none */
    public String dropLinesContaining() {
        return dropLinesContaining;
    }

    /**
     * @return whether line breaks stay in the text as {@code '\n'} characters (for verse and code). Then each line
     *     keeps its own spacing and only loses trailing whitespace, and files are joined with a newline.
     */
    public boolean keepNewlines() {
        return keepNewlines;
    }

    /**
     * @return whether each file's text is normalised to Unicode's composed form (NFC) first, so that "é" written as
     *     one code point or as "e" + U+0301 is one character to the model (default; runs from before it read false)
     */
    public boolean normalizeNfc() {
        return normalizeNfc;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CleaningOptions)) {
            return false;
        }
        CleaningOptions other = (CleaningOptions) o;
        return keepNewlines == other.keepNewlines && normalizeNfc == other.normalizeNfc
                && Objects.equals(dropLinesContaining, other.dropLinesContaining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dropLinesContaining, keepNewlines, normalizeNfc);
    }

    @Override
    public String toString() {
        return "cleaning: " + (dropLinesContaining == null ? "no lines dropped"
                : "lines containing \"" + dropLinesContaining + "\" dropped") + ", line breaks "
                + (keepNewlines ? "kept (--keep-newlines)" : "joined with spaces") + (normalizeNfc
                        ? ", Unicode NFC" : "");
    }

    /** Builds {@link CleaningOptions}. Not thread-safe. */
    public static final class Builder {
        private String dropLinesContaining;
        private boolean keepNewlines;
        private boolean normalizeNfc = true;

        private Builder() {}

        /**
         * @param marker drop every line that contains this text; null or empty: drop none
         * @return this builder
         */
        public Builder dropLinesContaining(String marker) {
            this.dropLinesContaining = marker == null || marker.isEmpty() ? null : marker;
            return this;
        }

        /**
         * @param keep keep line breaks as characters instead of joining lines with spaces
         * @return this builder
         */
        public Builder keepNewlines(boolean keep) {
            this.keepNewlines = keep;
            return this;
        }

        /**
         * @param normalize normalise each file to NFC first (default true; false reproduces runs from before)
         * @return this builder
         */
        public Builder normalizeNfc(boolean normalize) {
            this.normalizeNfc = normalize;
            return this;
        }

        /** @return the options */
        public CleaningOptions build() {
            return new CleaningOptions(this);
        }
    }
}
