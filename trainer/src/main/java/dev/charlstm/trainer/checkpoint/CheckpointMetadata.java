package dev.charlstm.trainer.checkpoint;

import dev.charlstm.trainer.corpus.CleaningOptions;
import dev.charlstm.trainer.training.TrainingConfig;

/**
 * The JSON part of a checkpoint ({@code checkpoint.json}): everything but the arrays. Field names are the file
 * format; see {@code docs/checkpoints.md}.
 *
 * <p>A plain data holder for Gson: not thread-safe, and callers treat it as immutable once built.
 */
public final class CheckpointMetadata {

    /** Value of {@link #format}. */
    public static final String FORMAT = "charlstm-checkpoint";
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;

    /** Always {@link #FORMAT}. */
    public String format = FORMAT;
    /** Always {@link #VERSION} when written by this code. */
    public int version = VERSION;
    /** Completed training iterations. */
    public int iteration;
    /** The run's whole configuration. */
    public TrainingConfig config;
    /** How the corpus was cleaned. */
    public CleaningOptions cleaning;
    /** The vocabulary: code points in id order. */
    public int[] vocabulary;
    /** Where the training text came from. */
    public CorpusInfo corpus;
    /** Losses and speed at this checkpoint. */
    public Metrics metrics;
    /** The batch sampler's state: the seed and the next batch index (the sampler draws batch k from both). */
    public RngState rng;
    /** Which optimizer state is in {@code optimizer.bin}. */
    public String optimizer = "adamw-moments-v1";
    /** When the checkpoint was written, ISO-8601 UTC. */
    public String createdAt;
    /** SHA-256 of {@code parameters.djl}, hex. */
    public String parametersSha256;
    /** SHA-256 of {@code optimizer.bin}, hex. */
    public String optimizerSha256;

    /** Provenance of the training text. */
    public static final class CorpusInfo {
        /** The corpus folder or file as given. */
        public String source;
        /** SHA-256 of the cleaned text in UTF-8, hex. */
        public String sha256;
        /** Code points in the cleaned text. */
        public long characters;
    }

    /** Losses and speed at a checkpoint. */
    public static final class Metrics {
        /** Mean training loss since the previous evaluation, nats per character. */
        public double trainLoss;
        /** Validation loss, nats per character. */
        public double valLoss;
        /** Lowest validation loss so far. */
        public double bestValLoss;
        /** The iteration of {@link #bestValLoss}. */
        public int bestIteration;
        /** Training characters per second since the previous evaluation. */
        public double charsPerSecond;
        /** Seconds of training so far, across resumes. */
        public double elapsedSeconds;
    }

    /** The batch sampler's state. */
    public static final class RngState {
        /** The seed of the batch sequence. */
        public long seed;
        /** The index of the next batch to draw (= completed iterations). */
        public long nextBatch;
    }
}
