package dev.charlstm.trainer.training;

import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import dev.charlstm.trainer.config.TrainingConfig;

/** The learning rate at each iteration, from DJL's trackers. Immutable and thread-safe. */
final class LearningRateSchedule {

    private final Tracker tracker;

    LearningRateSchedule(TrainingConfig config) {
        TrainingConfig.Schedule c = config.schedule();
        float lr = config.optimisation().learningRate();
        Tracker main;
        if (c.kind() == TrainingConfig.ScheduleKind.COSINE) {
            main = CosineTracker.builder()
                    .setBaseValue(lr)
                    .optFinalValue(lr * c.finalLearningRateFraction())
                    .setMaxUpdates(Math.max(1, c.iterations() - c.warmupIterations()))
                    .build();
        } else {
            main = Tracker.fixed(lr);
        }
        tracker = c.warmupIterations() > 0
                ? WarmUpTracker.builder()
                        .setMainTracker(main)
                        .optWarmUpSteps(c.warmupIterations())
                        .optWarmUpBeginValue(0f)
                        .build()
                : main;
    }

    /**
     * @param iteration zero-based iteration
     * @return its learning rate
     */
    float at(int iteration) {
        return tracker.getNewValue(iteration);
    }
}
