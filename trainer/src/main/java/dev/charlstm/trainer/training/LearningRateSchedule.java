package dev.charlstm.trainer.training;

import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;

/** The learning rate at each iteration, from DJL's trackers. Immutable and thread-safe. */
final class LearningRateSchedule {

    private final Tracker tracker;

    LearningRateSchedule(TrainingConfig c) {
        Tracker main;
        if (c.schedule() == TrainingConfig.Schedule.COSINE) {
            main = CosineTracker.builder()
                    .setBaseValue(c.learningRate())
                    .optFinalValue(c.learningRate() * c.finalLearningRateFraction())
                    .setMaxUpdates(Math.max(1, c.iterations() - c.warmupIterations()))
                    .build();
        } else {
            main = Tracker.fixed(c.learningRate());
        }
        tracker = c.warmupIterations() > 0
                ? WarmUpTracker.builder().setMainTracker(main).optWarmUpSteps(c.warmupIterations())
                        .optWarmUpBeginValue(0f).build()
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
