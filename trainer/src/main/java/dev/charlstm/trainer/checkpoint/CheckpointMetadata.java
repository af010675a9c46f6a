package dev.charlstm.trainer.checkpoint;

import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.pack.LineItems;
import dev.charlstm.trainer.config.TrainingConfig;
import java.util.Objects;

/**
 * The JSON part of a checkpoint ({@code checkpoint.json}): everything but the arrays. {@link Checkpoint} reads and
 * writes it field by field; the format is {@code docs/checkpoints.md}.
 *
 * <p>Immutable and thread-safe (the vocabulary array is copied in and out).
 *
 * @param iteration completed training iterations
 * @param config the run's whole configuration
 * @param cleaning how the corpus was cleaned
 * @param vocabulary the vocabulary: code points in id order
 * @param corpus where the training text came from
 * @param metrics losses and speed at this checkpoint
 * @param rng the batch sampler's state
 * @param createdAt when the checkpoint was written, ISO-8601 UTC
 * @param items for a run on a list: its split and the membership of its training and held-out items; else null
 */
public record CheckpointMetadata(
        int iteration,
        TrainingConfig config,
        TextCleaning cleaning,
        int[] vocabulary,
        CorpusInfo corpus,
        Metrics metrics,
        RngState rng,
        String createdAt,
        LineItems items) {

    /** Value of {@code format}. */
    public static final String FORMAT = "charlstm-checkpoint";
    /**
     * The newest format version this code writes (3, for a run on a list, whose items a version 2 reader would ignore;
     * other runs write 2); it reads versions 1 to this one.
     */
    public static final int VERSION = 3;
    /** Which optimizer state is in {@code optimizer.bin}. */
    public static final String OPTIMIZER = "adamw-moments-v1";

    /** Copies the vocabulary; requires every part but {@code corpus}. */
    public CheckpointMetadata {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(cleaning, "cleaning");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(rng, "rng");
        vocabulary = vocabulary.clone();
    }

    /** @return a copy of the vocabulary's code points */
    @Override
    public int[] vocabulary() {
        return vocabulary.clone();
    }

    /**
     * Provenance of the training text.
     *
     * @param source the corpus folder or file as given
     * @param sha256 SHA-256 of the cleaned text in UTF-8, hex
     * @param characters code points in the cleaned text
     */
    public record CorpusInfo(String source, String sha256, long characters) {}

    /**
     * Losses and speed at a checkpoint.
     *
     * @param trainLoss mean training loss since the previous evaluation, nats per character
     * @param valLoss validation loss, nats per character
     * @param bestValLoss lowest validation loss so far
     * @param bestIteration the iteration of {@code bestValLoss}
     * @param charsPerSecond training characters per second since the previous evaluation
     * @param elapsedSeconds seconds of training so far, across resumes
     */
    public record Metrics(
            double trainLoss,
            double valLoss,
            double bestValLoss,
            int bestIteration,
            double charsPerSecond,
            double elapsedSeconds) {}

    /**
     * The batch sampler's state: batch k is drawn from the seed and k alone.
     *
     * @param seed the seed of the batch sequence
     * @param nextBatch the index of the next batch to draw (= completed iterations)
     */
    public record RngState(long seed, long nextBatch) {}
}
