package dev.charlstm.runtime;

/**
 * A model's loss on a text ({@link CharLstmModel#evaluate}): the mean cross-entropy of each next character given
 * the characters before it in its window (for a model trained on a list: in its item, the item's end included).
 * Immutable and thread-safe.
 *
 * @param natsPerCharacter mean cross-entropy in nats per character
 * @param characters characters scored (windows × window; for a list, the items' characters plus one end each)
 * @param windows windows scored; for a list, items scored
 * @param window the window length; 0 for a list (each item is its own window)
 * @param firstIndex the code point index of the text where scoring starts (0 for the whole text and for a list)
 * @param textLength the text's length in code points; for a list, its number of items
 * @param graph which graph scored it: {@code sequence} or {@code step}
 * @param nanos how long it took
 */
public record EvaluationResult(
        double natsPerCharacter,
        long characters,
        int windows,
        int window,
        int firstIndex,
        int textLength,
        String graph,
        long nanos) {

    /** @return the loss in bits per character (nats / ln 2) */
    public double bitsPerCharacter() {
        return natsPerCharacter / Math.log(2);
    }
}
