package dev.charlstm.runtime;

/** Why a generation ended. Immutable and thread-safe. */
public enum FinishReason {
    /** The maximum number of characters was generated. */
    LENGTH,
    /** A stop sequence appeared. */
    STOP_SEQUENCE,
    /** The callback returned false, or {@link GenerationStream#cancel()} was called. */
    CANCELLED
}
