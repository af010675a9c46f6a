package dev.charlstm.trainer.corpus;

import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.ItemMembership;
import dev.charlstm.runtime.pack.LineItems;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
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
        // a list's end-of-item symbol is in its vocabulary even when the list is one item
        this.vocabulary = Vocabulary.ofText(cleaning.lines() ? withEnd(codePoints) : codePoints);
        this.sha256 = sha256;
        if (vocabulary.size() > MAX_VOCABULARY) {
            throw new CorpusException(source + ": the cleaned text has " + vocabulary.size()
                    + " distinct characters, more than the limit of " + MAX_VOCABULARY
                    + "; this is probably not plain text");
        }
    }

    private static int[] withEnd(int[] codePoints) {
        int[] all = Arrays.copyOf(codePoints, codePoints.length + 1);
        all[codePoints.length] = '\n';
        return all;
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
     * Encodes the text with the corpus vocabulary and splits off its last part for validation (for a list: a seeded
     * random sample of its items, with seed 0).
     *
     * @param validationFraction the share of the text, by code points, held out at its end, in (0, 1)
     * @return the encoded split
     */
    public Split split(double validationFraction) {
        return split(validationFraction, vocabulary, 0);
    }

    /**
     * Encodes the text with a given vocabulary (a resumed run's) and splits it. A text's validation part is its last
     * {@code validationFraction}; a list's ({@link TextCleaning#lines()}) is makemore's: {@code min(1000, floor(n ·
     * fraction))} of its n items drawn with the seed ({@link EvaluationOptions#heldOutItems}), each item then
     * encoded as {@code '\n'}, its characters, {@code '\n'}.
     *
     * @param validationFraction the held-out share, in (0, 1)
     * @param vocab the vocabulary to encode with; must contain every character of the text
     * @param seed the seed of a list's held-out sample (unused for a text)
     * @return the encoded split
     * @throws CorpusException if a character of the text is missing from the vocabulary, or a list holds too few
     *     items to hold one out
     */
    public Split split(double validationFraction, Vocabulary vocab, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
        }
        int[] ids;
        try {
            ids = vocab.encode(codePoints);
        } catch (IllegalArgumentException e) {
            throw new CorpusException(source + ": " + e.getMessage() + " of the model", e);
        }
        if (cleaning.lines()) {
            return splitItems(ids, validationFraction, vocab, seed);
        }
        // The one definition of the held-out tail, shared with `charlstm eval` (the reference script's int(n * 0.9)).
        int cut = EvaluationOptions.heldOutStart(ids.length, validationFraction);
        return new Split(vocab, Arrays.copyOfRange(ids, 0, cut), Arrays.copyOfRange(ids, cut, ids.length));
    }

    /** @return the start (code point index) of each item of a list, in order */
    private int[] itemStarts() {
        int count = 1;
        for (int cp : codePoints) {
            count += cp == '\n' ? 1 : 0;
        }
        int[] starts = new int[count];
        int k = 1;
        for (int i = 0; i < codePoints.length; i++) {
            if (codePoints[i] == '\n') {
                starts[k++] = i + 1;
            }
        }
        return starts;
    }

    /** The smallest fraction, rounded up to 3 decimals, that holds out one of n items. */
    private static String ceilShare(int n) {
        return BigDecimal.valueOf(1.0 / n)
                .setScale(3, RoundingMode.CEILING)
                .stripTrailingZeros()
                .toPlainString();
    }

    private Split splitItems(int[] ids, double fraction, Vocabulary vocab, long seed) {
        int[] starts = itemStarts();
        int n = starts.length;
        boolean[] held = EvaluationOptions.heldOutItems(n, fraction, seed);
        int heldCount = 0;
        for (boolean h : held) {
            heldCount += h ? 1 : 0;
        }
        if (n < 2) {
            throw new CorpusException(source + ": the list has " + n + " item; a list to train on needs at least 2 (one"
                    + " to train on and one to hold out for validation): give a longer list");
        }
        if (heldCount == 0 || heldCount == n) {
            throw new CorpusException(source + ": the list has " + n + " items, too few to hold out " + fraction
                    + " of them (floor(" + n + " x " + fraction + ") = " + heldCount + ") and train on the rest;"
                    + " give a longer list or a --val-fraction of at least " + ceilShare(n));
        }
        int end = vocab.idOf('\n');
        int[][] parts = new int[2][];
        int[][] partStarts = {new int[n - heldCount + 1], new int[heldCount + 1]};
        List<List<String>> strings = List.of(new ArrayList<>(), new ArrayList<>());
        int[] sizes = new int[2];
        for (int i = 0; i < n; i++) {
            int length = (i + 1 < n ? starts[i + 1] - 1 : codePoints.length) - starts[i];
            sizes[held[i] ? 1 : 0] += length + 1;
        }
        int[] at = new int[2];
        int[] count = new int[2];
        int maxLength = 0;
        for (int p = 0; p < 2; p++) {
            parts[p] = new int[sizes[p] + 1];
        }
        for (int i = 0; i < n; i++) {
            int p = held[i] ? 1 : 0;
            int length = (i + 1 < n ? starts[i + 1] - 1 : codePoints.length) - starts[i];
            maxLength = Math.max(maxLength, length);
            partStarts[p][count[p]++] = at[p];
            parts[p][at[p]++] = end;
            System.arraycopy(ids, starts[i], parts[p], at[p], length);
            at[p] += length;
            strings.get(p).add(new String(codePoints, starts[i], length));
        }
        for (int p = 0; p < 2; p++) {
            parts[p][at[p]] = end; // the last item's end
            partStarts[p][count[p]] = at[p];
        }
        LineItems items = new LineItems(
                seed,
                fraction,
                maxLength,
                ItemMembership.of(strings.get(0), ItemMembership.DEFAULT_FALSE_POSITIVE_RATE),
                ItemMembership.of(strings.get(1), ItemMembership.DEFAULT_FALSE_POSITIVE_RATE));
        return new Split(vocab, parts[0], parts[1], partStarts[0], partStarts[1], items);
    }
}
