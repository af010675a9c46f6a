package dev.charlstm.trainer.corpus;

/**
 * Cleans the text of one file as the tutorial does. Stateless and thread-safe.
 *
 * <p>Default: each line loses its line break, lines marked for dropping are removed, lines are joined with a
 * single space and every run of whitespace (spaces, tabs, line breaks, Unicode spaces) becomes one space, with
 * none at either end. With {@link CleaningOptions#keepNewlines()}: lines are joined with {@code '\n'} and keep
 * their inner spacing (indentation matters in code and verse), losing only trailing whitespace.
 */
public final class TextCleaner {

    private final CleaningOptions options;

    /** @param options how to clean */
    public TextCleaner(CleaningOptions options) {
        this.options = options;
    }

    /**
     * @param text the decoded contents of one file (a leading byte-order mark has already been dropped)
     * @return the cleaned text, possibly empty
     */
    public String clean(String text) {
        String drop = options.dropLinesContaining();
        if (options.normalizeNfc()) {
            text = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
            // the marker too: "café" typed either way drops the same lines
            drop = drop == null ? null : java.text.Normalizer.normalize(drop, java.text.Normalizer.Form.NFC);
        }
        String separator = options.keepNewlines() ? "\n" : " ";
        StringBuilder joined = new StringBuilder(text.length());
        // \r\n, \r and \n all end a line, as Python's universal newlines do in the tutorial.
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (drop != null && line.contains(drop)) {
                continue;
            }
            if (joined.length() > 0) {
                joined.append(separator);
            }
            joined.append(options.keepNewlines() ? line.stripTrailing() : line);
        }
        return options.keepNewlines() ? trimNewlines(joined) : collapseWhitespace(joined);
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
}
