package dev.charlstm.trainer.training;

import java.nio.file.Path;

/**
 * How a training run ended. Immutable and thread-safe.
 *
 * @param iterations completed iterations
 * @param lastValLoss validation loss at the last evaluation, nats per character
 * @param bestValLoss lowest validation loss, nats per character
 * @param bestIteration the iteration of {@code bestValLoss}
 * @param charsPerSecond training characters per second over this session's iterations (evaluations excluded)
 * @param runDir the run folder
 */
public record TrainingResult(int iterations, double lastValLoss, double bestValLoss, int bestIteration,
        double charsPerSecond, Path runDir) {

    /** @return {@code best.ckpt} in the run folder */
    public Path bestCheckpoint() {
        return runDir.resolve(TrainingRun.BEST);
    }

    /** @return the model package exported from {@code best.ckpt} */
    public Path modelPackage() {
        return runDir.resolve(TrainingRun.PACKAGE);
    }

    /** @return {@code last.ckpt} in the run folder */
    public Path lastCheckpoint() {
        return runDir.resolve(TrainingRun.LAST);
    }
}
