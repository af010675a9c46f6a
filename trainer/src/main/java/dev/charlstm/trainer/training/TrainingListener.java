package dev.charlstm.trainer.training;

/**
 * Receives a training loop's events. Checkpoints, metrics, the loss plot, the package export, the evaluation
 * sample and the CLI's progress output are all listeners; {@link Trainer} itself only trains. Listeners are called
 * in the order they were given, on the training thread; every method defaults to doing nothing.
 */
public interface TrainingListener {

    /** Receives nothing. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * Called once before the first iteration.
     *
     * @param trainer the loop: its {@link Trainer#description()}, {@link Trainer#iteration()} (above 0 when
     *     resuming) and configuration
     */
    default void onStart(Trainer trainer) {}

    /**
     * Called after every iteration.
     *
     * @param iteration completed iterations
     * @param loss this iteration's training loss, nats per character
     * @param charsPerSecond training characters per second since the previous evaluation
     */
    default void onIteration(int iteration, float loss, double charsPerSecond) {}

    /**
     * Called at every evaluation (every {@code evaluation.interval} iterations, and at the last).
     *
     * @param evaluation what it measured
     * @param trainer the loop, for listeners that save or sample its model ({@link Trainer#checkpoint},
     *     {@link Trainer#sample})
     */
    default void onEvaluation(ValidationReport evaluation, Trainer trainer) {}

    /** @param result how the loop ended (called when it reaches its target, not when it throws) */
    default void onEnd(TrainingResult result) {}
}
