package dev.charlstm.runtime;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How raw text becomes the text a model is trained on, and so the text it can read: the one cleaning, used by the
 * trainer on its corpus and by the SDK on prompts and evaluated text ({@code ModelManifest.textCleaning()} gives a
 * package's). The defaults clean as the tutorial does: each line loses its line break, lines marked for dropping are
 * removed, lines are joined with a single space and every run of whitespace (spaces, tabs, line breaks, Unicode
 * spaces) becomes one space, with none at either end; files are joined with a single space. With
 * {@link #keepNewlines()}: lines are joined with {@code '\n'} and keep their inner spacing (indentation matters in
 * code and verse), losing only trailing whitespace. With {@link #lines()}: the text is a list, one item per line
 * (names, words, titles): each line's whitespace is collapsed as above and trimmed, empty lines are dropped, and the
 * items are joined with {@code '\n'}, which is then the model's end-of-item symbol ({@link #items(String)} gives
 * them one by one). Text is first normalised to NFC unless {@link #normalizeNfc()} is off.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class TextCleaning {

    /** The tutorial's cleaning: no dropped lines, newlines become spaces, NFC. */
    public static final TextCleaning DEFAULT = builder().build();

    private final String dropLinesContaining;
    private final boolean keepNewlines;
    private final boolean normalizeNfc;
    private final boolean lines;

    private TextCleaning(Builder b) {
        if (b.lines && b.keepNewlines) {
            throw new IllegalArgumentException(
                    "lines and keepNewlines exclude each other: with lines, a line break ends an item");
        }
        this.lines = b.lines;
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

    /**
     * @return whether the text is a list of items, one per line (names, words, titles): see {@link #items(String)}.
     *     The line break is then the end-of-item symbol, and a model trained so starts each item from its start
     *     state, after a {@code '\n'}.
     */
    public boolean lines() {
        return lines;
    }

    /**
     * The items of a list, cleaned: each line (lines marked for dropping left out) normalised to NFC if set, its
     * whitespace runs collapsed to one space and trimmed; empty lines are not items. Works whatever {@link #lines()}
     * says; with it, {@link #clean(String)} is these items joined with {@code '\n'}.
     *
     * @param text the decoded contents of one file
     * @return the items in file order (duplicates kept)
     */
    public List<String> items(String text) {
        String drop = dropLinesContaining();
        if (normalizeNfc()) {
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            drop = drop == null ? null : Normalizer.normalize(drop, Normalizer.Form.NFC);
        }
        List<String> items = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (drop != null && line.contains(drop)) {
                continue;
            }
            String item = collapseWhitespace(line);
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return items;
    }

    /**
     * @param text the decoded contents of one file (a leading byte-order mark has already been dropped)
     * @return the cleaned text, possibly empty
     */
    public String clean(String text) {
        return clean(text, false);
    }

    /**
     * Cleans a prompt as the training text was cleaned, keeping what matters at its ends: whitespace before or after
     * it becomes one space (a newline with {@link #keepNewlines()}) rather than nothing, since "Call me " and
     * "Call me" continue differently. A line the cleaning drops is dropped here too.
     *
     * @param prompt the prompt as typed (line breaks, tabs, runs of spaces, decomposed accents)
     * @return the prompt in the form the model was trained on
     */
    public String cleanPrompt(CharSequence prompt) {
        return clean(prompt.toString(), true);
    }

    private String clean(String text, boolean keepEnds) {
        if (lines()) {
            String joined = String.join("\n", items(text));
            if (!keepEnds || joined.isEmpty()) {
                return joined;
            }
            // a prompt's line break at either end is an item boundary: "\nja" primes the start of an item
            int first = text.codePointAt(0);
            int last = text.codePointBefore(text.length());
            return (first == '\n' || first == '\r' ? "\n" : "")
                    + joined
                    + (last == '\n' || last == '\r' ? "\n" : isSpace(last) ? " " : "");
        }
        String drop = dropLinesContaining();
        if (normalizeNfc()) {
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            // the marker too: "café" typed either way drops the same lines
            drop = drop == null ? null : Normalizer.normalize(drop, Normalizer.Form.NFC);
        }
        String separator = keepNewlines() ? "\n" : " ";
        StringBuilder joined = new StringBuilder(text.length());
        // \r\n, \r and \n all end a line, as Python's universal newlines do in the tutorial.
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (drop != null && line.contains(drop)) {
                continue;
            }
            if (joined.length() > 0) {
                joined.append(separator);
            }
            joined.append(keepNewlines() ? line.stripTrailing() : line);
        }
        String cleaned = keepNewlines() ? trimNewlines(joined) : collapseWhitespace(joined);
        if (!keepEnds || cleaned.isEmpty()) {
            return cleaned;
        }
        int first = text.codePointAt(0);
        int last = text.codePointBefore(text.length());
        String before;
        String after;
        if (keepNewlines()) { // a line keeps its leading spaces already; line breaks at the ends are one each
            before = first == '\n' || first == '\r' ? "\n" : "";
            after = last == '\n' || last == '\r' ? "\n" : isSpace(last) ? " " : "";
        } else {
            before = isSpace(first) ? " " : "";
            after = isSpace(last) ? " " : "";
        }
        return before + cleaned + after;
    }

    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static String collapseWhitespace(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); ) {
            int cp = Character.codePointAt(s, i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static String trimNewlines(StringBuilder s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '\n') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '\n') {
            end--;
        }
        return s.substring(start, end);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TextCleaning)) {
            return false;
        }
        TextCleaning other = (TextCleaning) o;
        return keepNewlines == other.keepNewlines
                && lines == other.lines
                && normalizeNfc == other.normalizeNfc
                && Objects.equals(dropLinesContaining, other.dropLinesContaining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dropLinesContaining, keepNewlines, normalizeNfc, lines);
    }

    @Override
    public String toString() {
        return "cleaning: "
                + (dropLinesContaining == null
                        ? "no lines dropped"
                        : "lines containing \"" + dropLinesContaining + "\" dropped")
                + (lines
                        ? ", one item per line (--lines)"
                        : ", line breaks " + (keepNewlines ? "kept (--keep-newlines)" : "joined with spaces"))
                + (normalizeNfc ? ", Unicode NFC" : "");
    }

    /** Builds {@link TextCleaning}. Not thread-safe. */
    public static final class Builder {
        private String dropLinesContaining;
        private boolean keepNewlines;
        private boolean normalizeNfc = true;
        private boolean lines;

        private Builder() {}

        /**
         * @param v read the text as a list, one item per line (see {@link TextCleaning#lines()}); excludes
         *     {@link #keepNewlines(boolean)}
         * @return this builder
         */
        public Builder lines(boolean v) {
            this.lines = v;
            return this;
        }

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

        /**
         * @return the options
         * @throws IllegalArgumentException if both {@code lines} and {@code keepNewlines} are set
         */
        public TextCleaning build() {
            return new TextCleaning(this);
        }
    }
}
