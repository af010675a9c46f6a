package dev.charlstm.trainer.checkpoint;

/** A checkpoint could not be written, or is missing, corrupt, truncated or from another format version. */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file
     * @param cause the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
