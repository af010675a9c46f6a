package dev.charlstm.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.TestCorpora;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.run.TrainingRun;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.TrainingListener;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The int8 export of a tiny model trained on three different texts (one of the harbour kind, on which the earlier
 * int8 scheme scored thousands of nats per character) scores within 0.01 nats per character (or 2%) of its float32
 * source, the same every time, and the same whatever the number of windows per graph call.
 */
class Int8AccuracyTest {

    private static final Engine ENGINE = TorchEngine.start(0);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"harbour", "ledger", "repetitive"})
    void int8ScoresWithinTheBoundOfItsFloat32Source(String text) {
        Function<Path, Corpus> corpora = switch (text) {
            case "harbour" -> TestCorpora::harbour;
            case "ledger" -> TestCorpora::ledger;
            default -> TestCorpora::repetitive;
        };
        Corpus corpus = corpora.apply(dir);
        TrainingConfig config = Preset.TINY
                .builder()
                .set(TrainingConfig.ITERATIONS, 300)
                .set(TrainingConfig.EVAL_INTERVAL, 300)
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .build();
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config, dir.resolve("run"), Device.cpu())) {
            run.train(TrainingListener.NONE);
        }
        Checkpoint best = Checkpoint.read(dir.resolve("run/best.ckpt"));
        ModelPackage fp32 = PackageExporter.build(best);
        ModelPackage int8 = PackageExporter.build(best, Precision.INT8);
        try (CharLstmModel a = CharLstmModel.load(fp32, RuntimeOptions.DEFAULT);
                CharLstmModel b = CharLstmModel.load(int8, RuntimeOptions.DEFAULT)) {
            double loss32 = a.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            double loss8 = b.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            System.out.printf(
                    "%s: V%d, float32 %.5f, int8 %.5f nats/char%n",
                    text, fp32.manifest().shape().vocabSize(), loss32, loss8);
            assertEquals(loss32, loss8, Math.max(0.01, 0.02 * loss32), text + ": int8 vs float32");
            assertEquals(
                    loss8,
                    b.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter(),
                    0.0,
                    "the same score every time");
            EvaluationOptions onePerCall =
                    EvaluationOptions.builder().windowsPerCall(1).build();
            assertEquals(
                    loss8,
                    b.evaluate(corpus.text(), onePerCall).natsPerCharacter(),
                    0.0,
                    "the same score with one window per call as with 64");
            assertTrue(loss8 < Math.log(fp32.manifest().shape().vocabSize()), "better than uniform");
        }
    }
}
