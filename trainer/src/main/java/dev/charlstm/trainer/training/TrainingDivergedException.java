package dev.charlstm.trainer.training;

/**
 * The training loss became NaN, infinite, or far above a uniform guess's: the run diverged. The message says what
 * happened, what the run folder holds (when the loop runs in one, see {@link dev.charlstm.trainer.run.TrainingRun}) and what to do.
 */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String what;
    private final String advice;

    /**
     * @param what what happened: the loss, the iteration and the learning rate
     * @param state what the run folder holds, or null when the loop runs without one
     * @param advice what to do
     */
    public TrainingDivergedException(String what, String state, String advice) {
        super(what + "; " + (state == null ? "" : state + "; ") + advice);
        this.what = what;
        this.advice = advice;
    }

    /** @param state what the run folder holds @return this divergence, saying so */
    public TrainingDivergedException withState(String state) {
        return new TrainingDivergedException(what, state, advice);
    }
}
