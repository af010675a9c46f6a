package dev.charlstm.trainer.training;

/**
 * Receives a training run's progress; the CLI prints it. All methods are called on the training thread and
 * default to doing nothing.
 */
public interface TrainingListener {

    /** Receives nothing. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * Called once before the first iteration.
     *
     * @param description a one-line description of the run: corpus, model, configuration, device
     * @param firstIteration the iteration training starts at (above 0 when resuming)
     * @param iterations the run's target
     */
    default void onStart(String description, int firstIteration, int iterations) {}

    /**
     * Called after every iteration.
     *
     * @param iteration completed iterations
     * @param loss this iteration's training loss
     * @param charsPerSecond training characters per second since the previous evaluation
     */
    default void onIteration(int iteration, float loss, double charsPerSecond) {}

    /** @param evaluation what the evaluation measured (after its checkpoint was written) */
    default void onEvaluation(Evaluation evaluation) {}
}
