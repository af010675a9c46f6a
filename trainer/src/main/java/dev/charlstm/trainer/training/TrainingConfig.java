package dev.charlstm.trainer.training;

import dev.charlstm.trainer.model.ModelConfig;

/**
 * Everything that decides what a training run computes: the model's shape (but for V, which the corpus gives),
 * the batches, the optimiser and its schedule, evaluation and the seed. Checkpoints store it whole, so a resumed
 * run continues under the same configuration.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()} or start from a {@link Preset}.
 */
public final class TrainingConfig {

    /** Learning-rate schedule after warm-up. */
    public enum Schedule {
        /** The tutorial's: a fixed learning rate. */
        CONSTANT,
        /** Cosine decay from the learning rate to {@code finalLearningRateFraction} of it at the last iteration. */
        COSINE
    }

    private final int embeddingSize;
    private final int hiddenSize;
    private final int layers;
    private final float dropout;
    private final int batchSize;
    private final int seqLen;
    private final int iterations;
    private final int evalInterval;
    private final float learningRate;
    private final float weightDecay;
    private final float gradClip;
    private final Schedule schedule;
    private final int warmupIterations;
    private final float finalLearningRateFraction;
    private final double validationFraction;
    private final long seed;
    private final String samplePrompt;
    private final int sampleLength;

    private TrainingConfig(Builder b) {
        this.embeddingSize = positive("embedding size", b.embeddingSize);
        this.hiddenSize = positive("hidden size", b.hiddenSize);
        this.layers = positive("layers", b.layers);
        if (!(b.dropout >= 0 && b.dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + b.dropout);
        }
        this.dropout = b.dropout;
        this.batchSize = positive("batch size", b.batchSize);
        this.seqLen = positive("sequence length", b.seqLen);
        this.iterations = positive("iterations", b.iterations);
        this.evalInterval = positive("eval interval", b.evalInterval);
        if (!(b.learningRate > 0) || Float.isInfinite(b.learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + b.learningRate);
        }
        this.learningRate = b.learningRate;
        if (!(b.weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + b.weightDecay);
        }
        this.weightDecay = b.weightDecay;
        if (!(b.gradClip >= 0)) {
            throw new IllegalArgumentException("gradient clip norm must be >= 0 (0 = off), got " + b.gradClip);
        }
        this.gradClip = b.gradClip;
        this.schedule = b.schedule;
        if (b.warmupIterations < 0) {
            throw new IllegalArgumentException("warm-up iterations must be >= 0, got " + b.warmupIterations);
        }
        this.warmupIterations = b.warmupIterations;
        if (!(b.finalLearningRateFraction >= 0 && b.finalLearningRateFraction <= 1)) {
            throw new IllegalArgumentException(
                    "final learning-rate fraction must be in [0, 1], got " + b.finalLearningRateFraction);
        }
        this.finalLearningRateFraction = b.finalLearningRateFraction;
        if (!(b.validationFraction > 0 && b.validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + b.validationFraction);
        }
        this.validationFraction = b.validationFraction;
        this.seed = b.seed;
        this.samplePrompt = b.samplePrompt == null ? "" : b.samplePrompt;
        if (b.sampleLength < 0) {
            throw new IllegalArgumentException("sample length must be >= 0, got " + b.sampleLength);
        }
        this.sampleLength = b.sampleLength;
    }

    private static int positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
        return v;
    }

    /** @return a builder holding the {@link Preset#SEED} values */
    public static Builder builder() {
        return Preset.SEED.builder();
    }

    /** @return a builder initialised with this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.embeddingSize = embeddingSize;
        b.hiddenSize = hiddenSize;
        b.layers = layers;
        b.dropout = dropout;
        b.batchSize = batchSize;
        b.seqLen = seqLen;
        b.iterations = iterations;
        b.evalInterval = evalInterval;
        b.learningRate = learningRate;
        b.weightDecay = weightDecay;
        b.gradClip = gradClip;
        b.schedule = schedule;
        b.warmupIterations = warmupIterations;
        b.finalLearningRateFraction = finalLearningRateFraction;
        b.validationFraction = validationFraction;
        b.seed = seed;
        b.samplePrompt = samplePrompt;
        b.sampleLength = sampleLength;
        return b;
    }

    /**
     * @param vocabSize V, from the corpus
     * @return the model shape this configuration describes
     */
    public ModelConfig modelConfig(int vocabSize) {
        return new ModelConfig(vocabSize, embeddingSize, hiddenSize, layers, dropout);
    }

    /** @return E */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** @return H */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** @return L */
    public int layers() {
        return layers;
    }

    /** @return dropout between LSTM layers */
    public float dropout() {
        return dropout;
    }

    /** @return windows per batch */
    public int batchSize() {
        return batchSize;
    }

    /** @return window length in characters */
    public int seqLen() {
        return seqLen;
    }

    /** @return the iteration count the run trains to */
    public int iterations() {
        return iterations;
    }

    /** @return iterations between evaluations (validation loss, sample, checkpoint) */
    public int evalInterval() {
        return evalInterval;
    }

    /** @return the peak learning rate */
    public float learningRate() {
        return learningRate;
    }

    /** @return AdamW's decoupled weight decay (PyTorch's default 0.01) */
    public float weightDecay() {
        return weightDecay;
    }

    /** @return the maximum global gradient norm; 0 = no clipping */
    public float gradClip() {
        return gradClip;
    }

    /** @return the learning-rate schedule after warm-up */
    public Schedule schedule() {
        return schedule;
    }

    /** @return iterations of linear warm-up from 0 to the learning rate */
    public int warmupIterations() {
        return warmupIterations;
    }

    /** @return with {@link Schedule#COSINE}, the final learning rate as a fraction of the peak */
    public float finalLearningRateFraction() {
        return finalLearningRateFraction;
    }

    /** @return the share of the text held out at its end for validation */
    public double validationFraction() {
        return validationFraction;
    }

    /** @return the seed of initialisation, batches and samples */
    public long seed() {
        return seed;
    }

    /** @return the prompt whose continuation each evaluation prints */
    public String samplePrompt() {
        return samplePrompt;
    }

    /** @return characters sampled at each evaluation; 0 = no sample */
    public int sampleLength() {
        return sampleLength;
    }

    /** @return characters consumed per iteration */
    public long charactersPerIteration() {
        return (long) batchSize * seqLen;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingConfig && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "E" + embeddingSize + " H" + hiddenSize + " L" + layers + " dropout " + dropout
                + ", batch " + batchSize + " x " + seqLen + ", " + iterations + " iterations (eval every "
                + evalInterval + "), AdamW lr " + learningRate + " wd " + weightDecay + ", clip "
                + (gradClip > 0 ? gradClip : "off") + ", " + schedule.name().toLowerCase()
                + (schedule == Schedule.COSINE ? " to " + finalLearningRateFraction + "x" : "")
                + (warmupIterations > 0 ? " after " + warmupIterations + " warm-up" : "")
                + ", val " + validationFraction + ", seed " + seed + ", sample " + sampleLength + " after \""
                + samplePrompt + "\"";
    }

    /** Builds a {@link TrainingConfig}; every value is checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private int embeddingSize;
        private int hiddenSize;
        private int layers;
        private float dropout;
        private int batchSize;
        private int seqLen;
        private int iterations;
        private int evalInterval;
        private float learningRate;
        private float weightDecay;
        private float gradClip;
        private Schedule schedule = Schedule.CONSTANT;
        private int warmupIterations;
        private float finalLearningRateFraction;
        private double validationFraction;
        private long seed;
        private String samplePrompt;
        private int sampleLength;

        Builder() {}

        /** @param v E @return this builder */
        public Builder embeddingSize(int v) {
            embeddingSize = v;
            return this;
        }

        /** @param v H @return this builder */
        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        /** @param v L @return this builder */
        public Builder layers(int v) {
            layers = v;
            return this;
        }

        /** @param v dropout between LSTM layers, [0, 1) @return this builder */
        public Builder dropout(float v) {
            dropout = v;
            return this;
        }

        /** @param v windows per batch @return this builder */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** @param v window length @return this builder */
        public Builder seqLen(int v) {
            seqLen = v;
            return this;
        }

        /** @param v iterations to train to @return this builder */
        public Builder iterations(int v) {
            iterations = v;
            return this;
        }

        /** @param v iterations between evaluations @return this builder */
        public Builder evalInterval(int v) {
            evalInterval = v;
            return this;
        }

        /** @param v peak learning rate @return this builder */
        public Builder learningRate(float v) {
            learningRate = v;
            return this;
        }

        /** @param v AdamW weight decay @return this builder */
        public Builder weightDecay(float v) {
            weightDecay = v;
            return this;
        }

        /** @param v maximum global gradient norm, 0 = off @return this builder */
        public Builder gradClip(float v) {
            gradClip = v;
            return this;
        }

        /** @param v schedule after warm-up @return this builder */
        public Builder schedule(Schedule v) {
            schedule = java.util.Objects.requireNonNull(v, "schedule");
            return this;
        }

        /** @param v warm-up iterations @return this builder */
        public Builder warmupIterations(int v) {
            warmupIterations = v;
            return this;
        }

        /** @param v final learning rate as a fraction of the peak (cosine) @return this builder */
        public Builder finalLearningRateFraction(float v) {
            finalLearningRateFraction = v;
            return this;
        }

        /** @param v share of the text held out for validation @return this builder */
        public Builder validationFraction(double v) {
            validationFraction = v;
            return this;
        }

        /** @param v the seed @return this builder */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v prompt of the evaluation samples @return this builder */
        public Builder samplePrompt(String v) {
            samplePrompt = v;
            return this;
        }

        /** @param v characters per evaluation sample @return this builder */
        public Builder sampleLength(int v) {
            sampleLength = v;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the first out-of-range value
         */
        public TrainingConfig build() {
            return new TrainingConfig(this);
        }
    }
}
