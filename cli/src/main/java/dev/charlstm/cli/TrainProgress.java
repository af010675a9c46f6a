package dev.charlstm.cli;

import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.ValidationReport;
import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Prints a training run's progress: a progress bar (iteration, loss, chars/s, ETA) on a terminal, and one block
 * per evaluation (train and validation loss, bits per character, chars/s, the sample) always. Not thread-safe.
 */
final class TrainProgress implements TrainingListener, AutoCloseable {

    private final PrintWriter out;
    private final boolean showBar;
    private ProgressBar bar;

    TrainProgress(PrintWriter out, boolean showBar) {
        this.out = out;
        this.showBar = showBar;
    }

    @Override
    public void onStart(Trainer trainer) {
        int firstIteration = trainer.iteration();
        int iterations = trainer.config().schedule().iterations();
        out.println((firstIteration > 0 ? "resuming at iteration " + firstIteration + ": " : "training ")
                + trainer.description());
        out.flush();
        if (showBar) {
            bar = new ProgressBarBuilder()
                    .setTaskName("train")
                    .setInitialMax(iterations)
                    .startsFrom(firstIteration, Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .build();
        }
    }

    @Override
    public void onIteration(int iteration, float loss, double charsPerSecond) {
        if (bar != null) {
            bar.stepTo(iteration);
            bar.setExtraMessage(String.format(" loss %.3f %s chars/s", loss, Format.rate(charsPerSecond)));
        }
    }

    @Override
    public void onEvaluation(ValidationReport e, Trainer trainer) {
        out.printf(
                "iteration %d/%d  train %.4f  val %.4f nats (%.4f bits/char)  %s chars/s  lr %.2e  %s%s%n",
                e.iteration(),
                e.iterations(),
                e.trainLoss(),
                e.valLoss(),
                e.valBitsPerChar(),
                Format.rate(e.charsPerSecond()),
                e.learningRate(),
                Format.duration(e.elapsedSeconds()),
                e.best() ? "  [best]" : "");
        if (e.clippedSteps() > 0) {
            // Said only when it happens: a clip norm that keeps firing is a learning rate that is too high.
            out.printf("  clipped %d of %d steps to --grad-clip%n", e.clippedSteps(), e.steps());
        }
        out.flush();
    }

    /** Prints an evaluation's sample below its line (an {@code SampleListener} listener calls this). */
    void sample(ValidationReport e, String sample) {
        out.println("  sample: " + sample.replace("\n", "\n          "));
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
