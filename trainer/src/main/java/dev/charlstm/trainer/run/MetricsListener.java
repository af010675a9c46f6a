package dev.charlstm.trainer.run;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.ValidationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON line per evaluation to {@code metrics.jsonl} in the run folder: iteration, train loss, val
 * loss (nats and bits per character), chars/s, learning rate, clipped steps, elapsed seconds. Not thread-safe.
 */
final class MetricsListener implements TrainingListener {

    private static final Gson GSON = new Gson();

    private final Path file;

    MetricsListener(Path file) {
        this.file = file;
    }

    @Override
    public void onEvaluation(ValidationReport e, Trainer trainer) {
        JsonObject o = new JsonObject();
        o.addProperty("iteration", e.iteration());
        o.addProperty("train_loss", e.trainLoss());
        o.addProperty("val_loss", e.valLoss());
        o.addProperty("val_bpc", e.valBitsPerChar());
        o.addProperty("chars_per_s", e.charsPerSecond());
        o.addProperty("lr", e.learningRate());
        o.addProperty("clipped_steps", e.clippedSteps());
        o.addProperty("elapsed_s", e.elapsedSeconds());
        o.addProperty("best", e.best());
        try {
            Files.writeString(
                    file,
                    GSON.toJson(o) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": cannot append metrics: " + ex.getMessage(), ex);
        }
    }
}
