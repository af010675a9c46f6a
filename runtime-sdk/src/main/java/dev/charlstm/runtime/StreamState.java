package dev.charlstm.runtime;

/**
 * A snapshot of a {@link GenerationStream}: its LSTM state, the pending next-character distribution and the recent
 * characters the repetition penalty looks at. Restoring it into a stream of the same model continues exactly as the
 * snapshotted stream would (for the same options and seed), which allows forking and rewinding a conversation.
 *
 * <p>Immutable and thread-safe: it holds copies.
 */
public final class StreamState {

    final CharLstmModel model;
    final float[] h;
    final float[] c;
    final float[] logits;
    final boolean primed;
    final RecentWindow recent;

    StreamState(CharLstmModel model, float[] h, float[] c, float[] logits, boolean primed, RecentWindow recent) {
        this.model = model;
        this.h = h;
        this.c = c;
        this.logits = logits;
        this.primed = primed;
        this.recent = recent;
    }

    /**
     * @return a copy of the logits of the next character, [V] in vocabulary order (unnormalised: {@code
     *     log_softmax} of them gives the log-probabilities {@link CharacterLogprob} reports); all zero before
     *     anything was fed
     */
    public float[] logits() {
        return logits.clone();
    }

    /** @return whether anything was fed: the state has a next-character distribution to continue from */
    public boolean primed() {
        return primed;
    }
}
