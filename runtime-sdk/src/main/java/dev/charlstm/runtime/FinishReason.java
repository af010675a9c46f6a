package dev.charlstm.runtime;

/** Why a generation ended. Immutable and thread-safe. */
public enum FinishReason {
    /** The maximum number of characters was generated. */
    LENGTH,
    /** A stop sequence appeared. */
    STOP_SEQUENCE,
    /**
     * The callback returned false, the generation was cancelled ({@link GenerationStream#cancel()},
     * {@link GenerationIterator#cancel()}, closing the stream or interrupting the generating thread).
     */
    CANCELLED,
    /**
     * Only in a batch: this request's callback threw; {@link GenerationResult#error()} holds the exception and the
     * other requests went on.
     */
    ERROR
}
