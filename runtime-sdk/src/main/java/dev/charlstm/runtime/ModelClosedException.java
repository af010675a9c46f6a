package dev.charlstm.runtime;

/**
 * The model was closed: before a call, or while it generated (every generation in progress ends with this within
 * about one step). A caller that shares a model with code that may close it (a server shutting down) catches this
 * type instead of reading messages. It is an {@link IllegalStateException}, as every use of a closed model was
 * before this type existed. Immutable.
 */
public final class ModelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the message "the model is closed". */
    public ModelClosedException() {
        super("the model is closed");
    }
}
