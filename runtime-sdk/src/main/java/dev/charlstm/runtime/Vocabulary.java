package dev.charlstm.runtime;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The character vocabulary of a model: a sorted set of Unicode code points, where a code point's id is its
 * position in that order.
 *
 * <p>Text is handled as code points, never as UTF-16 {@code char}s, so an emoji or any character outside the
 * Basic Multilingual Plane is one vocabulary entry (and one generated step), and a combining mark is an entry
 * of its own.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Vocabulary {

    private final int[] codePoints;

    private Vocabulary(int[] sortedDistinctCodePoints) {
        this.codePoints = sortedDistinctCodePoints;
    }

    /**
     * Builds the vocabulary of a text: the sorted set of the code points it contains.
     *
     * @param codePoints the text as code points
     * @return its vocabulary
     */
    public static Vocabulary ofText(int[] codePoints) {
        return new Vocabulary(IntStream.of(codePoints).distinct().sorted().toArray());
    }

    /**
     * Builds the vocabulary of a string: the sorted set of the code points it contains.
     *
     * @param text the text
     * @return its vocabulary
     */
    public static Vocabulary ofText(String text) {
        return ofText(text.codePoints().toArray());
    }

    /**
     * Creates a vocabulary from code points listed in id order, as a model package or checkpoint stores them.
     *
     * @param codePointsInIdOrder the code points; they must be valid, distinct and strictly ascending
     * @return the vocabulary
     * @throws IllegalArgumentException if the list is empty, not strictly ascending, or holds an invalid code
     *     point
     */
    public static Vocabulary of(int[] codePointsInIdOrder) {
        if (codePointsInIdOrder.length == 0) {
            throw new IllegalArgumentException("a vocabulary needs at least one character");
        }
        for (int i = 0; i < codePointsInIdOrder.length; i++) {
            int cp = codePointsInIdOrder[i];
            if (!Character.isValidCodePoint(cp)) {
                throw new IllegalArgumentException("vocabulary entry " + i + " is not a valid code point: " + cp);
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                // Half of a UTF-16 pair is no character: no text holds it and UTF-8 cannot write it.
                throw new IllegalArgumentException("vocabulary entry " + i + " is a lone surrogate, not a character: "
                        + String.format("U+%04X", cp));
            }
            if (i > 0 && cp <= codePointsInIdOrder[i - 1]) {
                throw new IllegalArgumentException("vocabulary entries must be strictly ascending code points; entry "
                        + i + " (" + describe(cp) + ") follows " + describe(codePointsInIdOrder[i - 1]));
            }
        }
        return new Vocabulary(codePointsInIdOrder.clone());
    }

    /** @return the number of entries, V */
    public int size() {
        return codePoints.length;
    }

    /**
     * @param id an id in {@code [0, size())}
     * @return the code point with that id
     */
    public int codePoint(int id) {
        return codePoints[id];
    }

    /**
     * @param codePoint a code point
     * @return its id, or -1 if the vocabulary does not contain it
     */
    public int idOf(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i >= 0 ? i : -1;
    }

    /** @return whether the code point is in the vocabulary */
    public boolean contains(int codePoint) {
        return idOf(codePoint) >= 0;
    }

    /**
     * Encodes code points as ids.
     *
     * @param text code points, all of which must be in the vocabulary
     * @return their ids
     * @throws IllegalArgumentException naming the first code point that is not in the vocabulary and its index
     */
    public int[] encode(int[] text) {
        int[] ids = new int[text.length];
        for (int i = 0; i < text.length; i++) {
            int id = idOf(text[i]);
            if (id < 0) {
                throw new IllegalArgumentException(
                        "character " + describe(text[i]) + " at index " + i + " is not in the vocabulary");
            }
            ids[i] = id;
        }
        return ids;
    }

    /**
     * Decodes ids to a string.
     *
     * @param ids ids in {@code [0, size())}
     * @return the text
     */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            sb.appendCodePoint(codePoints[id]);
        }
        return sb.toString();
    }

    /** @return a copy of the code points in id order */
    public int[] codePoints() {
        return codePoints.clone();
    }

    /**
     * Describes a code point for error messages, e.g. {@code U+00E9 'é'}.
     *
     * @param codePoint the code point
     * @return its U+XXXX form, with the character itself when it is printable
     */
    public static String describe(int codePoint) {
        String hex = String.format("U+%04X", codePoint);
        if (Character.isISOControl(codePoint) || Character.isWhitespace(codePoint) || !Character.isDefined(codePoint)) {
            return hex;
        }
        return hex + " '" + new String(Character.toChars(codePoint)) + "'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary && Arrays.equals(codePoints, ((Vocabulary) o).codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "Vocabulary(V=" + codePoints.length + ")";
    }
}
