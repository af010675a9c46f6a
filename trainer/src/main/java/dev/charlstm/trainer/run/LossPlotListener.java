package dev.charlstm.trainer.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.slf4j.LoggerFactory;

/**
 * Draws {@code loss.png} in a run folder from its {@code metrics.jsonl}: training and validation loss against
 * iteration (XChart, headless). Stateless and thread-safe.
 */
public final class LossPlotListener {

    private LossPlotListener() {}

    /** @param run a run folder @return a listener that draws its curve when training ends (a failure is a warning) */
    static TrainingListener listener(RunDirectory run) {
        return new TrainingListener() {
            @Override
            public void onEnd(TrainingResult result) {
                try {
                    write(run.dir());
                } catch (IOException e) {
                    LoggerFactory.getLogger(LossPlotListener.class)
                            .warn("could not draw {}: {}", run.lossPlot(), e.getMessage());
                }
            }
        };
    }

    /**
     * @param runDir a run folder holding {@code metrics.jsonl}
     * @return the picture written, or null when there are no metrics yet
     * @throws IOException if the metrics cannot be read or the picture written
     */
    public static Path write(Path runDir) throws IOException {
        Path metrics = RunDirectory.of(runDir).metrics();
        if (!Files.exists(metrics)) {
            return null;
        }
        List<Double> iterations = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) {
                continue;
            }
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            iterations.add(o.get("iteration").getAsDouble());
            train.add(o.get("train_loss").getAsDouble());
            val.add(o.get("val_loss").getAsDouble());
        }
        if (iterations.isEmpty()) {
            return null;
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(500)
                .title("charlstm: " + runDir.getFileName())
                .xAxisTitle("iteration")
                .yAxisTitle("loss (nats per character)")
                .build();
        chart.addSeries("train (mean since the previous evaluation)", iterations, train);
        chart.addSeries("validation", iterations, val);
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        Path out = RunDirectory.of(runDir).lossPlot();
        AtomicFiles.replaceFile(out, png);
        return out;
    }
}
