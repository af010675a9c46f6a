package dev.charlstm.runtime;

/**
 * A model's loss on a text ({@link CharLstmModel#evaluate}): the mean cross-entropy of each next character given
 * the characters before it in its window. Immutable and thread-safe.
 *
 * @param natsPerCharacter mean cross-entropy in nats per character
 * @param characters characters scored (windows × window)
 * @param windows windows scored
 * @param window the window length
 * @param firstIndex the code point index of the text where scoring starts (0 for the whole text)
 * @param textLength the text's length in code points
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
