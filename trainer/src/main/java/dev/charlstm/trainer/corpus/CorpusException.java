package dev.charlstm.trainer.corpus;

/** A corpus could not be read or is unusable for training; the message names the file or the problem. */
public class CorpusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file, position or value */
    public CorpusException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file, position or value
     * @param cause the underlying failure
     */
    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
