package dev.charlstm.trainer.training;

/** The training loss became NaN or infinite; the message names the iteration and what to try. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened and what to try */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
