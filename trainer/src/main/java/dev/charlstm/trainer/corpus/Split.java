package dev.charlstm.trainer.corpus;

import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.LineItems;

/**
 * A corpus encoded as vocabulary ids and cut into a training part and a validation part: the end of a text, or a
 * seeded sample of a list's items. A list's part is its items one after another, each as {@code '\n'}, its
 * characters, and the next item's {@code '\n'} (which ends it): {@code \n emma \n ava \n}; {@link #trainItems()} and
 * {@link #validationItems()} give where each item's leading {@code '\n'} is, plus the final one.
 *
 * <p>Immutable and thread-safe: callers must not modify the arrays.
 */
public final class Split {

    private final Vocabulary vocabulary;
    private final int[] train;
    private final int[] validation;
    private final int[] trainItems;
    private final int[] validationItems;
    private final LineItems items;

    Split(Vocabulary vocabulary, int[] train, int[] validation) {
        this(vocabulary, train, validation, null, null, null);
    }

    Split(
            Vocabulary vocabulary,
            int[] train,
            int[] validation,
            int[] trainItems,
            int[] validationItems,
            LineItems items) {
        this.vocabulary = vocabulary;
        this.train = train;
        this.validation = validation;
        this.trainItems = trainItems;
        this.validationItems = validationItems;
        this.items = items;
    }

    /** @return whether this is a list's split (items), not a text's */
    public boolean lines() {
        return items != null;
    }

    /**
     * @return for a list, the index in {@link #train()} of each training item's leading {@code '\n'}, then of the
     *     last item's end (so item k spans {@code [s[k], s[k+1]]}); null for a text. Do not modify.
     */
    public int[] trainItems() {
        return trainItems;
    }

    /** @return the same for {@link #validation()}; null for a text. Do not modify. */
    public int[] validationItems() {
        return validationItems;
    }

    /** @return a list's split seed, held-out share, longest item and membership structures; null for a text */
    public LineItems items() {
        return items;
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
        if (lines()) {
            // an item is trained whole, from the start state: its characters and its end must fit one window
            if (items.maxLength() + 1 > seqLen) {
                throw new CorpusException(source + ": the longest item has " + items.maxLength() + " characters; with"
                        + " --lines each item is trained whole, with its end, so --seq-len must be at least "
                        + (items.maxLength() + 1) + " (it is " + seqLen + ")");
            }
            return;
        }
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
