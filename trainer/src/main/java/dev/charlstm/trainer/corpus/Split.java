package dev.charlstm.trainer.corpus;

import dev.charlstm.runtime.Vocabulary;

/**
 * A corpus encoded as vocabulary ids and cut into a training part and a validation part (the end of the text).
 *
 * <p>Immutable and thread-safe: callers must not modify the arrays.
 */
public final class Split {

    private final Vocabulary vocabulary;
    private final int[] train;
    private final int[] validation;

    Split(Vocabulary vocabulary, int[] train, int[] validation) {
        this.vocabulary = vocabulary;
        this.train = train;
        this.validation = validation;
    }

    /** @return the vocabulary the ids refer to */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** @return the training ids; do not modify */
    public int[] train() {
        return train;
    }

    /** @return the validation ids; do not modify */
    public int[] validation() {
        return validation;
    }

    /**
     * Checks that both parts hold at least one window of {@code seqLen + 1} characters.
     *
     * @param seqLen the training window length
     * @param source what to name in the error
     * @throws CorpusException if a part is too short
     */
    public void requireWindows(int seqLen, Object source) {
        int window = seqLen + 1;
        if (train.length < window) {
            throw new CorpusException(source + ": the training part has " + train.length
                    + " characters, shorter than one window of " + window + " (sequence length " + seqLen
                    + " + 1); use more text or a shorter --seq-len");
        }
        if (validation.length < window) {
            throw new CorpusException(source + ": the validation part has " + validation.length
                    + " characters, shorter than one window of " + window + " (sequence length " + seqLen
                    + " + 1); use more text, a larger --val-fraction or a shorter --seq-len");
        }
    }
}
