package dev.charlstm.trainer.training;

/**
 * Named starting points for a {@link TrainingConfig}; any value can be overridden afterwards.
 *
 * <ul>
 *   <li>{@link #SEED}: the tutorial's exact configuration (hours on 2 CPU cores).
 *   <li>{@link #CPU}: good quality on 2 CPU cores in under an hour (see {@code docs/training.md} for the
 *       measurements behind it).
 *   <li>{@link #TINY}: a toy model that trains in seconds, for tests and smoke runs.
 * </ul>
 */
public enum Preset {
    /** E128 H256 L3, batch 128 × 300, 3000 iterations, AdamW lr 0.003, no clipping, no schedule. */
    SEED {
        @Override
        public TrainingConfig.Builder builder() {
            return base().embeddingSize(128).hiddenSize(256).layers(3)
                    .batchSize(128).seqLen(300).iterations(3000).evalInterval(300)
                    .learningRate(0.003f).gradClip(0f).schedule(TrainingConfig.Schedule.CONSTANT);
        }
    },
    /** E128 H256 L2, batch 32 × 128, clipped, cosine decay with warm-up: 7000 iterations, about 40 minutes on 2 cores. */
    CPU {
        @Override
        public TrainingConfig.Builder builder() {
            return base().embeddingSize(128).hiddenSize(256).layers(2)
                    .batchSize(32).seqLen(128).iterations(7000).evalInterval(500)
                    .learningRate(0.003f).gradClip(1f).schedule(TrainingConfig.Schedule.COSINE)
                    .warmupIterations(100).finalLearningRateFraction(0.1f);
        }
    },
    /** E16 H32 L1, batch 16 × 32, 300 iterations: seconds, for tests. */
    TINY {
        @Override
        public TrainingConfig.Builder builder() {
            return base().embeddingSize(16).hiddenSize(32).layers(1)
                    .batchSize(16).seqLen(32).iterations(300).evalInterval(100)
                    .learningRate(0.01f).gradClip(1f).schedule(TrainingConfig.Schedule.CONSTANT)
                    .sampleLength(60);
        }
    };

    /** @return a builder holding this preset's values */
    public abstract TrainingConfig.Builder builder();

    private static TrainingConfig.Builder base() {
        return new TrainingConfig.Builder()
                .dropout(0f).weightDecay(0.01f).warmupIterations(0).finalLearningRateFraction(0.1f)
                .validationFraction(0.1).seed(0).samplePrompt("The ").sampleLength(200);
    }
}
