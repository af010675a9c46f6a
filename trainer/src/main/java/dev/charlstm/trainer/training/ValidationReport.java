package dev.charlstm.trainer.training;

/**
 * What one evaluation measured. Immutable and thread-safe.
 *
 * @param iteration completed iterations
 * @param iterations the run's target
 * @param trainLoss mean training loss since the previous evaluation, nats per character
 * @param valLoss validation loss, nats per character
 * @param charsPerSecond training characters per second since the previous evaluation
 * @param learningRate the learning rate of the last iteration
 * @param elapsedSeconds seconds of training so far, across resumes
 * @param best whether this is the lowest validation loss so far
 * @param clippedSteps steps since the previous evaluation whose global gradient norm exceeded the clip norm (and
 *     were scaled down); 0 when clipping is off
 * @param steps steps since the previous evaluation (this session's, after a resume)
 */
public record ValidationReport(
        int iteration,
        int iterations,
        double trainLoss,
        double valLoss,
        double charsPerSecond,
        float learningRate,
        double elapsedSeconds,
        boolean best,
        int clippedSteps,
        int steps) {

    /** @return the validation loss in bits per character */
    public double valBitsPerChar() {
        return valLoss / Math.log(2);
    }
}
