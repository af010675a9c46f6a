package dev.charlstm.trainer.corpus;

import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A cleaned training text: its code points, its vocabulary and where it came from.
 *
 * <p>Immutable and thread-safe (the arrays it hands out are copies or read-only by contract).
 */
public final class Corpus {

    /** Above this many distinct code points the input is probably not text (or not one language's text). */
    public static final int MAX_VOCABULARY = 10_000;

    private final Path source;
    private final List<Path> files;
    private final TextCleaning cleaning;
    private final int[] codePoints;
    private final Vocabulary vocabulary;
    private final String sha256;
    /** The files whose cleaned text is in the corpus, and the code point index where each one's text starts. */
    private final List<Path> placedFiles;

    private final int[] fileStarts;

    Corpus(
            Path source,
            List<Path> files,
            TextCleaning cleaning,
            int[] codePoints,
            String sha256,
            List<Path> placedFiles,
            int[] fileStarts) {
        this.source = source;
        this.files = List.copyOf(files);
        this.placedFiles = List.copyOf(placedFiles);
        this.fileStarts = fileStarts;
        this.cleaning = cleaning;
        this.codePoints = codePoints;
        this.vocabulary = Vocabulary.ofText(codePoints);
        this.sha256 = sha256;
        if (vocabulary.size() > MAX_VOCABULARY) {
            throw new CorpusException(source + ": the cleaned text has " + vocabulary.size()
                    + " distinct characters, more than the limit of " + MAX_VOCABULARY
                    + "; this is probably not plain text");
        }
    }

    /** @return the folder or file the corpus was read from */
    public Path source() {
        return source;
    }

    /** @return the files read, in the order they were joined */
    public List<Path> files() {
        return files;
    }

    /** @return how the text was cleaned */
    public TextCleaning cleaning() {
        return cleaning;
    }

    /** @return the number of code points in the cleaned text */
    public int length() {
        return codePoints.length;
    }

    /** @return the cleaned text's code points (a copy) */
    public int[] codePoints() {
        return codePoints.clone();
    }

    /** @return the cleaned text */
    public String text() {
        return new String(codePoints, 0, codePoints.length);
    }

    /** @return the sorted set of the text's code points */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * Where a character of the cleaned text comes from, for messages: its file, and the line and column (1-based,
     * in code points) of that character's occurrence in the file as written, e.g. {@code books/b.txt, line 12,
     * column 5}. Cleaning only removes lines and changes whitespace, so the n-th occurrence of a non-whitespace
     * character in a file's cleaned text is its n-th occurrence in the kept lines.
     *
     * @param index a code point index of the cleaned text
     * @return the position in words
     */
    public String locate(int index) {
        int f = 0;
        while (f + 1 < fileStarts.length && fileStarts[f + 1] <= index) {
            f++;
        }
        Path file = placedFiles.get(f);
        int cp = codePoints[index];
        int occurrence = 0;
        for (int i = fileStarts[f]; i < index; i++) {
            occurrence += codePoints[i] == cp ? 1 : 0;
        }
        try {
            String raw = CorpusReader.decode(file);
            int line = 1;
            int column = 1;
            for (String l : raw.split("\r\n|\r|\n", -1)) {
                if (cleaning.dropLinesContaining() == null || !l.contains(cleaning.dropLinesContaining())) {
                    column = 1;
                    for (int i = 0; i < l.length(); ) {
                        int c = l.codePointAt(i);
                        if (c == cp && occurrence-- == 0) {
                            return file + ", line " + line + ", column " + column;
                        }
                        i += Character.charCount(c);
                        column++;
                    }
                }
                line++;
            }
        } catch (CorpusException e) {
            // the file changed since it was read: name the file at least
        }
        return file.toString();
    }

    /** @return the SHA-256 of the cleaned text in UTF-8, as lowercase hex: identifies the corpus in provenance */
    public String sha256() {
        return sha256;
    }

    /**
     * Encodes the text with the corpus vocabulary and splits off its last part for validation.
     *
     * @param validationFraction the share of the text, by code points, held out at its end, in (0, 1)
     * @return the encoded split
     */
    public Split split(double validationFraction) {
        return split(validationFraction, vocabulary);
    }

    /**
     * Encodes the text with a given vocabulary (a resumed run's) and splits off its last part for validation.
     *
     * @param validationFraction the share of the text, by code points, held out at its end, in (0, 1)
     * @param vocab the vocabulary to encode with; must contain every character of the text
     * @return the encoded split
     * @throws CorpusException if a character of the text is missing from the vocabulary
     */
    public Split split(double validationFraction, Vocabulary vocab) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
        }
        int[] ids;
        try {
            ids = vocab.encode(codePoints);
        } catch (IllegalArgumentException e) {
            throw new CorpusException(source + ": " + e.getMessage() + " of the model", e);
        }
        // The one definition of the held-out tail, shared with `charlstm eval` (the reference script's int(n * 0.9)).
        int cut = EvaluationOptions.heldOutStart(ids.length, validationFraction);
        return new Split(vocab, Arrays.copyOfRange(ids, 0, cut), Arrays.copyOfRange(ids, cut, ids.length));
    }
}
