package dev.charlstm.trainer.export;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.ModelShape;
import dev.charlstm.runtime.pack.Provenance;
import dev.charlstm.trainer.TestCorpora;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.model.CharLstm;
import dev.charlstm.trainer.run.TrainingRun;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Regenerates the model packages of runtime-sdk's test fixtures (runtime-sdk cannot depend on the trainer; every
 * module takes them from runtime-sdk's test-jar). Off unless told where to write; CONTRIBUTING.md has the command:
 * {@code mvn -B -pl runtime-sdk,trainer -am test -Dtest=RuntimeFixtures -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcharlstm.fixturesOut=$PWD/runtime-sdk/src/test/resources/fixtures}.
 */
@EnabledIfSystemProperty(named = "charlstm.fixturesOut", matches = ".+")
class RuntimeFixtures {

    /** The engine, started once for every run of this class. */
    private static final Engine ENGINE = TorchEngine.start(0);

    /** Where the packages go: {@code -Dcharlstm.fixturesOut}, never a path into another module's tree by default. */
    private static final Path OUT = Paths.get(System.getProperty("charlstm.fixturesOut", "."));

    /** A small trained model (E16 H32 L2) on a repetitive English corpus. */
    @Test
    void tiny() throws Exception {
        TorchEngine.start(1);
        Path tmp = Files.createTempDirectory("fixture");
        Corpus corpus = TestCorpora.repetitive(tmp);
        TrainingConfig config = Preset.TINY
                .builder()
                .set(TrainingConfig.LAYERS, 2)
                .set(TrainingConfig.ITERATIONS, 400)
                .set(TrainingConfig.EVAL_INTERVAL, 400)
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .set(TrainingConfig.SEED, 1L)
                .build();
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config, tmp.resolve("run"), Device.cpu())) {
            run.train(TrainingListener.NONE);
        }
        ModelPackage pkg = PackageExporter.build(Checkpoint.read(tmp.resolve("run/best.ckpt")));
        ModelManifest info = pkg.manifest().toBuilder()
                .provenance(new Provenance(
                        pkg.manifest().provenance().producer(),
                        "2026-11-28T00:00:00Z",
                        "runtime fixture: TestCorpora.repetitive",
                        corpus.sha256(),
                        (long) corpus.length(),
                        400,
                        pkg.manifest().provenance().valLoss(),
                        0.1,
                        32))
                .build();
        ModelPackage.of(info, pkg.modelBytes()).write(OUT.resolve("tiny"));
    }

    /**
     * The tiny model again as format 2 with a sequence graph ({@code tiny-v2}), its static-int8 export
     * ({@code tiny-int8}) and its export in the earlier dynamic-int8 scheme ({@code tiny-int8-dynamic}, for the tests
     * that old int8 packages still load).
     */
    @Test
    @SuppressWarnings("deprecation")
    void tinyWithSequenceGraphAndInt8() {
        ModelPackage v1 = ModelPackage.read(OUT.resolve("tiny"));
        ModelPackage v2 = PackageExporter.convert(v1, Precision.FLOAT32);
        v2.write(OUT.resolve("tiny-v2"));
        PackageExporter.convert(v2, Precision.INT8).write(OUT.resolve("tiny-int8"));
        PackageExporter.convert(v2, Precision.INT8_DYNAMIC).write(OUT.resolve("tiny-int8-dynamic"));
    }

    /**
     * A model whose next-character distribution is fixed and known: vocabulary "abcdef", zero embedding and LSTM
     * weights (so h stays 0), and head biases ln p with p = 0.4, 0.3, 0.15, 0.1, 0.04, 0.01.
     */
    @Test
    void controlled() {
        TorchEngine.start(1);
        int[] vocab = "abcdef".codePoints().toArray();
        float[] logP = {
            (float) Math.log(0.4),
            (float) Math.log(0.3),
            (float) Math.log(0.15),
            (float) Math.log(0.1),
            (float) Math.log(0.04),
            (float) Math.log(0.01)
        };
        ModelShape cfg = new ModelShape(vocab.length, 4, 8, 1, 0f);
        try (NDManager m = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(cfg);
            model.initialize(m);
            for (var p : model.getParameters()) {
                Parameter param = p.getValue();
                param.getArray().set(new float[(int) param.getArray().size()]);
            }
            model.getParameters().get("02head_bias").getArray().set(logP);
            ModelManifest info = ModelManifest.builder()
                    .vocabulary(Vocabulary.of(vocab))
                    .shape(cfg)
                    .opset(OnnxExporter.OPSET)
                    .provenance(new Provenance(
                            "charlstm test fixture", "2026-11-28T00:00:00Z", null, null, null, 0, null, null, null))
                    .build();
            ModelPackage.of(info, OnnxExporter.export(model)).write(OUT.resolve("controlled"));
        }
    }
}
