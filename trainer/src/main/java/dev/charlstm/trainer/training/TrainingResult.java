package dev.charlstm.trainer.training;

/**
 * How a training run ended. Immutable and thread-safe.
 *
 * @param iterations completed iterations
 * @param lastValLoss validation loss at the last evaluation, nats per character
 * @param bestValLoss lowest validation loss, nats per character
 * @param bestIteration the iteration of {@code bestValLoss}
 * @param charsPerSecond training characters per second over this session's iterations (evaluations excluded)
 */
public record TrainingResult(
        int iterations, double lastValLoss, double bestValLoss, int bestIteration, double charsPerSecond) {}
