package dev.charlstm.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.TestCorpora;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.run.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossesTest {

    private static final Engine ENGINE = TorchEngine.start(0);

    @TempDir
    Path dir;

    private static TrainingConfig.Optimisation smoothing(float eps) {
        return Preset.TINY
                .builder()
                .set(TrainingConfig.LABEL_SMOOTHING, eps)
                .build()
                .optimisation();
    }

    @Test
    void labelSmoothingIsPyTorchsFormulaAndOffByDefault() {
        float[] logits = {2.0f, -1.0f, 0.5f, 0.0f, 1.5f, 3.0f, -2.0f, 0.25f, -0.5f, 1.0f, 0.75f, -1.25f};
        int[] targets = {2, 0, 3}; // B=1, T=3, V=4
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(logits, new Shape(1, 3, 4));
            NDArray y = m.create(targets, new Shape(1, 3));
            for (float eps : new float[] {0f, 0.1f, 0.5f}) {
                double expected = 0;
                for (int t = 0; t < 3; t++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < 4; k++) {
                        max = Math.max(max, logits[4 * t + k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < 4; k++) {
                        sum += Math.exp(logits[4 * t + k] - max);
                    }
                    double logZ = max + Math.log(sum);
                    double uniform = 0;
                    for (int k = 0; k < 4; k++) {
                        uniform += (logZ - logits[4 * t + k]) / 4;
                    }
                    expected += ((1 - eps) * (logZ - logits[4 * t + targets[t]]) + eps * uniform) / 3;
                }
                assertEquals(expected, Losses.training(x, y, smoothing(eps)).getFloat(), 1e-5, "eps " + eps);
            }
            assertEquals(
                    Losses.meanCrossEntropy(x, y).getFloat(),
                    Losses.training(x, y, smoothing(0)).getFloat(),
                    "0 is the plain cross-entropy, bit for bit");
        }
        for (Preset p : Preset.values()) {
            assertEquals(0f, p.config().optimisation().labelSmoothing(), p + " trains without it");
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Preset.TINY
                        .builder()
                        .set(TrainingConfig.LABEL_SMOOTHING, 1f)
                        .build());
        assertEquals("label smoothing must be in [0, 1), got 1.0", e.getMessage());
        var before = Preset.CPU.config().toSections();
        before.get("optimisation").remove("label_smoothing");
        assertEquals(
                Preset.CPU.config(),
                TrainingConfig.fromSections(before),
                "a configuration recorded before it existed reads as off");
    }

    @Test
    void aRunWithLabelSmoothingTrainsOnItAndRecordsIt() {
        Corpus corpus = TestCorpora.repetitive(dir);
        TrainingConfig plain = Preset.TINY
                .builder()
                .set(TrainingConfig.ITERATIONS, 6)
                .set(TrainingConfig.EVAL_INTERVAL, 6)
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .build();
        TrainingConfig smoothed =
                plain.toBuilder().set(TrainingConfig.LABEL_SMOOTHING, 0.2f).build();
        List<Float> a = losses(corpus, plain, dir.resolve("plain"));
        List<Float> b = losses(corpus, smoothed, dir.resolve("smoothed"));
        assertEquals(
                a.get(0) * 0.8 + 0.2 * Math.log(corpus.vocabulary().size()),
                b.get(0),
                0.05,
                "at the start the logits are near uniform: the smoothed loss is about 0.8 CE + 0.2 ln V");
        assertNotEquals(a, b);
        var recorded = Checkpoint.read(dir.resolve("smoothed/last.ckpt")).metadata();
        assertEquals(smoothed, recorded.config());
        var pkg = ModelPackage.read(dir.resolve("smoothed/model")).manifest();
        assertTrue(
                ((Map<?, ?>) pkg.training().get("optimisation"))
                        .get("label_smoothing")
                        .equals(0.2),
                pkg.training().toString());
    }

    private static List<Float> losses(Corpus corpus, TrainingConfig config, Path runDir) {
        List<Float> losses = new ArrayList<>();
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config, runDir, Device.cpu())) {
            run.train(new TrainingListener() {
                @Override
                public void onIteration(int iteration, float loss, double charsPerSecond) {
                    losses.add(loss);
                }
            });
        }
        return losses;
    }
}
