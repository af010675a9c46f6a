package dev.charlstm.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.EvaluationResult;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import dev.charlstm.runtime.pack.Quantization;
import dev.charlstm.trainer.TestCorpora;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.run.TrainingRun;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.TrainingListener;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages of a real (tiny) trained model: {@code evaluate} reproduces the trainer's validation loss, int8
 * packages load and stay close to float32, and a manifest that lies about its graphs' precision is refused.
 */
class QuantizedPackageTest {

    private static final Engine ENGINE = TorchEngine.start(0);

    @TempDir
    static Path dir;

    private static Corpus corpus;
    private static Checkpoint best;
    private static ModelPackage fp32;
    private static ModelPackage int8;

    @BeforeAll
    static void train() {
        corpus = TestCorpora.repetitive(dir);
        TrainingConfig config = Preset.TINY
                .builder()
                .set(TrainingConfig.LAYERS, 2)
                .set(TrainingConfig.ITERATIONS, 60)
                .set(TrainingConfig.EVAL_INTERVAL, 30)
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .build();
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config, dir.resolve("run"), Device.cpu())) {
            run.train(TrainingListener.NONE);
        }
        best = Checkpoint.read(dir.resolve("run/best.ckpt"));
        fp32 = PackageExporter.build(best);
        int8 = PackageExporter.build(best, Precision.INT8);
    }

    @Test
    void evaluateReproducesTheTrainersValidationLossWithEitherGraph() {
        double recorded = best.metadata().metrics().valLoss();
        try (CharLstmModel model = CharLstmModel.load(fp32, RuntimeOptions.DEFAULT);
                CharLstmModel stepOnly = CharLstmModel.load(
                        ModelPackage.of(fp32.manifest(), fp32.modelBytes()), RuntimeOptions.DEFAULT)) {
            EvaluationResult r = model.evaluate(corpus.text(), EvaluationOptions.DEFAULT);
            assertEquals("sequence", r.graph());
            assertEquals(recorded, r.natsPerCharacter(), 1e-4, "eval vs the trainer's validation loss");
            assertEquals(recorded / Math.log(2), r.bitsPerCharacter(), 2e-4);
            int heldOut = corpus.length() - EvaluationOptions.heldOutStart(corpus.length(), 0.1);
            assertEquals(EvaluationOptions.windows(heldOut, 32), r.windows());
            assertEquals((long) r.windows() * 32, r.characters());

            EvaluationResult stepped = stepOnly.evaluate(corpus.text(), EvaluationOptions.DEFAULT);
            assertEquals("step", stepped.graph());
            assertEquals(r.natsPerCharacter(), stepped.natsPerCharacter(), 1e-5);

            EvaluationResult all = model.evaluate(
                    corpus.text(), EvaluationOptions.builder().wholeText(true).build());
            assertEquals(0, all.firstIndex());
            assertTrue(all.windows() > 8 * r.windows(), "the whole text holds about ten times the tail's windows");

            IllegalArgumentException unknown = assertThrows(
                    IllegalArgumentException.class,
                    () -> model.evaluate(
                            "the whale Z",
                            EvaluationOptions.builder()
                                    .wholeText(true)
                                    .window(4)
                                    .build()));
            assertTrue(unknown.getMessage().startsWith("character U+005A 'Z' at index 10"), unknown.getMessage());
            // int8 through the sequence graph vs the step graph: every row is exact, so the same to the bit
            try (CharLstmModel q = CharLstmModel.load(int8, RuntimeOptions.DEFAULT);
                    CharLstmModel qs = CharLstmModel.load(
                            ModelPackage.of(int8.manifest(), int8.modelBytes()), RuntimeOptions.DEFAULT)) {
                double a = q.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
                double b = qs.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
                assertEquals(a, b, 0.0, "int8, sequence vs step graph");
            }
            IllegalArgumentException tooShort = assertThrows(
                    IllegalArgumentException.class, () -> model.evaluate("the whale", EvaluationOptions.DEFAULT));
            assertTrue(
                    tooShort.getMessage()
                            .contains("has 1 character, too few for one window of 32 (a window"
                                    + " needs 33: 32 inputs and the character after them); give a shorter window (eval --window), or"
                                    + " score the whole text (eval --all)"),
                    tooShort.getMessage());
        }
    }

    @Test
    void anInt8PackageRecordsItsSourceLoadsGeneratesAndKeepsTheLoss() {
        Quantization q = int8.manifest().quantization();
        assertEquals(Quantization.STATIC_INT8, q.method());
        assertTrue(int8.manifest().batchInvariant());
        assertEquals(fp32.manifest().modelSha256(), q.sourceSha256(), "the float32 package of the same checkpoint");
        assertNull(fp32.manifest().quantization());
        assertTrue(int8.modelSize() < fp32.modelSize() / 2, int8.modelSize() + " vs " + fp32.modelSize());

        // From the float32 package instead of the checkpoint: the same graphs, the same recorded source.
        ModelPackage converted = PackageExporter.convert(fp32, Precision.INT8);
        assertArrayEquals(int8.modelBytes(), converted.modelBytes());
        assertArrayEquals(int8.sequenceBytes(), converted.sequenceBytes());
        assertEquals(q, converted.manifest().quantization());
        IllegalArgumentException twice =
                assertThrows(IllegalArgumentException.class, () -> PackageExporter.convert(int8, Precision.INT8));
        assertTrue(twice.getMessage().contains("already quantized (static-int8)"), twice.getMessage());

        Path written = dir.resolve("int8");
        int8.write(written);
        try (CharLstmModel a = CharLstmModel.load(written);
                CharLstmModel b = CharLstmModel.load(fp32, RuntimeOptions.DEFAULT)) {
            GenerationOptions o =
                    GenerationOptions.builder().maxCharacters(120).seed(5).build();
            String text = a.generate("the whale ", o).text();
            assertEquals(120, text.codePointCount(0, text.length()));
            assertEquals(text, a.generate("the whale ", o).text(), "a seed reproduces an int8 stream");
            List<String> prompts = List.of("the whale ", "call me ", "the sea ", "a ship ");
            List<String> first =
                    a.generateBatch(prompts, o).stream().map(r -> r.text()).toList();
            List<String> again =
                    a.generateBatch(prompts, o).stream().map(r -> r.text()).toList();
            assertEquals(first, again, "a seed reproduces an int8 batch generated again as the same batch");
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(
                        a.generate(
                                        prompts.get(i),
                                        o.toBuilder().seed(o.seed() + i).build())
                                .text(),
                        first.get(i),
                        "a row of a batch = the row alone with its seed");
            }
            double loss8 = a.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            double loss32 = b.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            System.out.printf("tiny model validation loss: float32 %.5f, int8 %.5f nats/char%n", loss32, loss8);
            assertEquals(loss32, loss8, 0.01, "int8 keeps the loss of its source");
        }
    }

    @Test
    void aManifestThatMisstatesItsGraphsPrecisionIsRefused() throws Exception {
        PackageException saysInt8 =
                assertThrows(PackageException.class, () -> ModelPackage.of(int8.manifest(), fp32.modelBytes()));
        assertTrue(
                saysInt8.getMessage()
                        .contains("model.onnx: holds float32 LSTM layers but vocab.json says it is" + " static-int8"),
                saysInt8.getMessage());
        PackageException saysFloat =
                assertThrows(PackageException.class, () -> ModelPackage.of(fp32.manifest(), int8.modelBytes()));
        assertTrue(
                saysFloat
                        .getMessage()
                        .contains("model.onnx: holds int8 operators"
                                + " (MatMulInteger, QuantizeLinear) but vocab.json says the package is float32"),
                saysFloat.getMessage());
        @SuppressWarnings("deprecation")
        ModelPackage dynamic = PackageExporter.build(best, Precision.INT8_DYNAMIC);
        PackageException saysStatic =
                assertThrows(PackageException.class, () -> ModelPackage.of(int8.manifest(), dynamic.modelBytes()));
        assertTrue(
                saysStatic
                        .getMessage()
                        .contains("model.onnx: holds com.microsoft.DynamicQuantizeLSTM,"
                                + " com.microsoft.DynamicQuantizeMatMul but vocab.json says it is static-int8"),
                saysStatic.getMessage());

        // On disk: an int8 package whose vocab.json was edited to say float32 (digests still right).
        Path edited = dir.resolve("edited");
        int8.write(edited);
        String json = Files.readString(edited.resolve("vocab.json"));
        int start = json.indexOf("\"quantization\": {");
        int end = json.indexOf('}', start);
        Files.writeString(
                edited.resolve("vocab.json"),
                json.substring(0, start) + "\"quantization\": null" + json.substring(end + 1));
        PackageException onDisk = assertThrows(PackageException.class, () -> ModelPackage.read(edited));
        assertTrue(onDisk.getMessage().startsWith(edited + "/model.onnx: holds int8 operators"), onDisk.getMessage());

        // A float32 package whose sequence.onnx was swapped for the int8 one (and its digest updated).
        Path swapped = dir.resolve("swapped");
        fp32.write(swapped);
        Files.write(swapped.resolve("sequence.onnx"), int8.sequenceBytes());
        Files.writeString(
                swapped.resolve("vocab.json"),
                Files.readString(swapped.resolve("vocab.json"))
                        .replace(fp32.manifest().sequenceSha256(), Sha256.hex(int8.sequenceBytes())));
        PackageException seq = assertThrows(PackageException.class, () -> ModelPackage.read(swapped));
        assertTrue(seq.getMessage().startsWith(swapped + "/sequence.onnx: holds int8 operators"), seq.getMessage());
    }

    @Test
    @SuppressWarnings("deprecation")
    void aDynamicInt8PackageStillLoadsAndIsRewrittenAsStaticInt8() {
        ModelPackage dynamic = PackageExporter.build(best, Precision.INT8_DYNAMIC);
        Path old = dir.resolve("dynamic");
        dynamic.write(old);
        ModelPackage read = ModelPackage.read(old);
        assertEquals(Quantization.DYNAMIC_INT8, read.manifest().quantization().method());
        assertTrue(!read.manifest().batchInvariant());
        ModelPackage rewritten = PackageExporter.convert(read, Precision.INT8);
        assertEquals(
                Quantization.STATIC_INT8, rewritten.manifest().quantization().method());
        assertEquals(
                fp32.manifest().modelSha256(),
                rewritten.manifest().quantization().sourceSha256(),
                "the rewritten package still names the float32 source of the old one");
        IllegalArgumentException toFloat =
                assertThrows(IllegalArgumentException.class, () -> PackageExporter.convert(read, Precision.FLOAT32));
        assertTrue(
                toFloat.getMessage().contains("already quantized (dynamic-int8); it can only be rewritten as int8"),
                toFloat.getMessage());
        try (CharLstmModel a = CharLstmModel.load(old);
                CharLstmModel b = CharLstmModel.load(rewritten, RuntimeOptions.DEFAULT);
                CharLstmModel c = CharLstmModel.load(fp32, RuntimeOptions.DEFAULT)) {
            GenerationOptions o =
                    GenerationOptions.builder().maxCharacters(60).seed(5).build();
            assertEquals(60, a.generate("the whale ", o).text().length(), "the old package generates");
            double old8 = a.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            double new8 = b.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            double loss32 = c.evaluate(corpus.text(), EvaluationOptions.DEFAULT).natsPerCharacter();
            System.out.printf(
                    "tiny model: float32 %.5f, dynamic-int8 %.5f, rewritten static-int8 %.5f%n", loss32, old8, new8);
            assertEquals(loss32, new8, 0.02, "rewritten from int8 weights: rounded twice, still close");
        }
    }

    /**
     * A package whose step graph was edited on its own (one head bias changed, its digest updated, as anyone
     * re-packing a model would): the sequence graph no longer agrees with the contract, and that is found the first
     * time the sequence graph is needed, named, instead of priming and eval silently scoring another model.
     */
    @Test
    void aPackageWhoseTwoGraphsDisagreeIsRefusedWhenTheSequenceGraphIsFirstNeeded() throws Exception {
        for (ModelPackage pkg : List.of(fp32, int8)) {
            ModelPackage edited =
                    ModelPackage.of(pkg.manifest(), withHeadBiasNudged(pkg.modelBytes(), 2f), pkg.sequenceBytes());
            try (CharLstmModel model = CharLstmModel.load(edited, RuntimeOptions.DEFAULT)) {
                assertEquals(
                        20,
                        model.generate(
                                        "the",
                                        GenerationOptions.builder()
                                                .maxCharacters(20)
                                                .build())
                                .text()
                                .length(),
                        "short prompts step: the step graph is the package's contract");
                PackageException e = assertThrows(PackageException.class, model::prepareSequenceGraph);
                assertTrue(
                        e.getMessage()
                                .contains("sequence.onnx disagrees with (a package in memory)/model.onnx:"
                                        + " over 8 characters their logits or state differ by up to 2.00"),
                        e.getMessage());
                PackageException eval = assertThrows(
                        PackageException.class, () -> model.evaluate(corpus.text(), EvaluationOptions.DEFAULT));
                assertEquals(e.getMessage(), eval.getMessage(), "the same answer, at no cost, every later time");
            }
            try (CharLstmModel intact = CharLstmModel.load(pkg, RuntimeOptions.DEFAULT)) {
                assertTrue(intact.prepareSequenceGraph(), "the unedited package's graphs agree");
            }
        }
        // static-int8's graphs agree to the bit, so even a head bias nudged by 3e-4 in sequence.onnx is found
        ModelPackage nudged =
                ModelPackage.of(int8.manifest(), int8.modelBytes(), withHeadBiasNudged(int8.sequenceBytes(), 3e-4f));
        try (CharLstmModel model = CharLstmModel.load(nudged, RuntimeOptions.DEFAULT)) {
            PackageException e = assertThrows(PackageException.class, model::prepareSequenceGraph);
            assertTrue(e.getMessage().contains("a static-int8 package's two graphs agree to the bit"), e.getMessage());
        }
    }

    /** A graph with its first head bias raised by {@code by}: what an edit of one graph of a package looks like. */
    private static byte[] withHeadBiasNudged(byte[] onnx, float by) throws Exception {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(onnx).toBuilder();
        var graph = m.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals("head_bias")) {
                byte[] raw = graph.getInitializer(i).getRawData().toByteArray();
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                b.putFloat(0, b.getFloat(0) + by);
                graph.setInitializer(i, graph.getInitializer(i).toBuilder().setRawData(ByteString.copyFrom(raw)));
            }
        }
        return m.build().toByteArray();
    }
}
