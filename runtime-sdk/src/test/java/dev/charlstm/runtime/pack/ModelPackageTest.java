package dev.charlstm.runtime.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package format's reader and writer. The graph bytes are opaque here: this module's reader checks them by hash. */
class ModelPackageTest {

    private static final byte[] GRAPH = "stand-in for model.onnx".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static ModelPackage sample() {
        ModelManifest info = ModelManifest.builder()
                .vocabulary(Vocabulary.ofText("hello, whale \uD83D\uDC33\n"))
                .shape(new ModelShape(0, 8, 16, 2, 0.25f))
                .opset(17)
                .cleaning("Page", true)
                .provenance(
                        new Provenance("charlstm test", "2026-11-28T00:00:00Z", "x", "abc", 1234L, 300, 1.25, 0.1, 32))
                .training(Map.of("data", new TreeMap<>(Map.of("seq_len", 32L, "validation_fraction", 0.1))))
                .build();
        return ModelPackage.of(info, GRAPH);
    }

    @Test
    void writeThenReadRoundTrips() {
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        ModelPackage read = ModelPackage.read(pkgDir);
        ModelManifest info = read.manifest();
        assertEquals(sample().manifest().vocabulary(), info.vocabulary());
        assertEquals(10, info.shape().vocabSize());
        assertEquals(0x1F433, info.vocabulary().codePoint(9), "an emoji is one entry");
        assertEquals(8, info.shape().embeddingSize());
        assertEquals(16, info.shape().hiddenSize());
        assertEquals(2, info.shape().layers());
        assertEquals(GraphSignature.STEP, info.signature());
        assertEquals(Sha256.hex(GRAPH), info.modelSha256());
        assertEquals("Page", info.dropLinesContaining());
        assertTrue(info.keepNewlines());
        assertEquals(1.25, info.provenance().valLoss());
        assertEquals(300, info.provenance().iterations());
        assertEquals(
                Map.of("seq_len", 32L, "validation_fraction", 0.1),
                info.training().get("data"));
        assertEquals(0.25f, info.shape().dropout());
        assertEquals(0.1, info.provenance().valFraction());
        assertEquals(32, info.provenance().valWindow());
        assertEquals("x", info.provenance().corpusName());
        assertArrayEquals(GRAPH, read.modelBytes());
    }

    @Test
    void vocabJsonIsVersionedAndReadable() throws IOException {
        sample().write(dir.resolve("pkg"));
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("pkg/vocab.json")))
                .getAsJsonObject();
        assertEquals("charlstm-model", j.get("format").getAsString());
        assertEquals(2, j.get("version").getAsInt());
        assertEquals(10, j.getAsJsonObject("model").get("vocab_size").getAsInt());
        assertEquals(
                "\uD83D\uDC33",
                j.getAsJsonObject("vocabulary")
                        .getAsJsonArray("characters")
                        .get(9)
                        .getAsString());
        assertEquals(
                "h_out",
                j.getAsJsonObject("graphs")
                        .getAsJsonObject("step")
                        .getAsJsonObject("outputs")
                        .get("h")
                        .getAsString());
        JsonObject validation = j.getAsJsonObject("provenance").getAsJsonObject("validation");
        assertEquals(1.25 / Math.log(2), validation.get("bits_per_char").getAsDouble(), 1e-12);
        String text = Files.readString(dir.resolve("pkg/vocab.json"));
        assertTrue(
                text.contains("\"vocab_size\": 10,")
                        && text.contains("\"seq_len\": 32")
                        && text.contains("\"window\": 32")
                        && text.contains("\"dropout\": 0.25"),
                "integers as integers:\n" + text);
        assertFalse(text.contains(".0,\n") || text.contains(": null,\n      \"h\""), "no 32.0, no null graph names");
    }

    @Test
    void readsFromTheClasspathAndFromBytes() throws IOException {
        Path root = dir.resolve("cp");
        sample().write(root.resolve("models/demo"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            ModelPackage p = ModelPackage.read(loader, "models/demo");
            assertEquals(10, p.manifest().shape().vocabSize());
            PackageException e = assertThrows(PackageException.class, () -> ModelPackage.read(loader, "models/none"));
            assertTrue(e.getMessage().contains("classpath:models/none/vocab.json: no such resource"), e.getMessage());
        }
        ModelPackage s =
                ModelPackage.read(sample().manifestJson().getBytes(StandardCharsets.UTF_8), GRAPH, null, "memory");
        assertEquals(16, s.manifest().shape().hiddenSize());
    }

    private PackageException rejected(Consumer<JsonObject> edit) throws IOException {
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        Path vocab = pkgDir.resolve("vocab.json");
        JsonObject j = JsonParser.parseString(Files.readString(vocab)).getAsJsonObject();
        edit.accept(j);
        Files.writeString(vocab, j.toString());
        return assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
    }

    @Test
    void rejectsATamperedModel() throws IOException {
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        Files.write(pkgDir.resolve("model.onnx"), "another graph".getBytes(StandardCharsets.UTF_8));
        PackageException e = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(
                e.getMessage().contains("model.onnx: SHA-256") && e.getMessage().contains("does not match"),
                e.getMessage());
    }

    @Test
    void rejectsAnotherFormatOrVersion() throws IOException {
        PackageException format = rejected(j -> j.addProperty("format", "something-else"));
        assertTrue(
                format.getMessage().contains("format is \"something-else\", expected \"charlstm-model\""),
                format.getMessage());
        PackageException version = rejected(j -> j.addProperty("version", 4));
        assertTrue(version.getMessage().contains("format version 4 is not supported"), version.getMessage());
        PackageException missing = rejected(j -> j.remove("version"));
        assertTrue(missing.getMessage().contains("format version null"), missing.getMessage());
    }

    @Test
    void rejectsAVocabularyThatDisagreesWithTheDimensions() throws IOException {
        PackageException size = rejected(j -> j.getAsJsonObject("model").addProperty("vocab_size", 11));
        assertTrue(
                size.getMessage().contains("the vocabulary has 10 entries but model.vocab_size is 11"),
                size.getMessage());
        PackageException order = rejected(j -> {
            var cps = j.getAsJsonObject("vocabulary").getAsJsonArray("code_points");
            var first = cps.get(0);
            cps.set(0, cps.get(1));
            cps.set(1, first);
        });
        assertTrue(order.getMessage().contains("strictly ascending"), order.getMessage());
        PackageException chars = rejected(j ->
                j.getAsJsonObject("vocabulary").getAsJsonArray("characters").set(3, new JsonPrimitive("x")));
        assertTrue(chars.getMessage().contains("vocabulary.characters[3] disagrees"), chars.getMessage());
        PackageException dims = rejected(j -> j.getAsJsonObject("model").addProperty("hidden_size", 0));
        assertTrue(dims.getMessage().contains("hidden size must be positive, got 0"), dims.getMessage());
        PackageException names = rejected(j -> j.getAsJsonObject("graphs")
                .getAsJsonObject("step")
                .getAsJsonObject("outputs")
                .addProperty("h", "h"));
        assertTrue(names.getMessage().contains("must all differ"), names.getMessage());
    }

    @Test
    void rejectsMissingFilesAndBrokenJson() throws IOException {
        PackageException none = assertThrows(PackageException.class, () -> ModelPackage.read(dir.resolve("nope")));
        assertTrue(none.getMessage().contains("no such model package folder"), none.getMessage());
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        Files.delete(pkgDir.resolve("model.onnx"));
        PackageException missing = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(missing.getMessage().contains("model.onnx: missing from the model package"), missing.getMessage());
        Files.writeString(pkgDir.resolve("vocab.json"), "{ not json");
        Files.write(pkgDir.resolve("model.onnx"), GRAPH);
        PackageException json = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(json.getMessage().contains("vocab.json: not valid JSON"), json.getMessage());
    }

    @Test
    void writingReplacesAPackageButRefusesOtherFoldersAndLeavesNoTemporaries() throws IOException {
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        ModelPackage other = ModelPackage.of(
                sample().manifest().toBuilder()
                        .shape(new ModelShape(0, 8, 32, 2, 0f))
                        .build(),
                GRAPH);
        other.write(pkgDir);
        assertEquals(32, ModelPackage.read(pkgDir).manifest().shape().hiddenSize());

        Path notAPackage = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(notAPackage.resolve("cat.jpg"), "meow");
        PackageException e = assertThrows(PackageException.class, () -> sample().write(notAPackage));
        assertTrue(e.getMessage().contains("is not a model package; refusing to replace it"), e.getMessage());
        assertTrue(Files.exists(notAPackage.resolve("cat.jpg")));

        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary folders left");
        }
    }

    @Test
    void messagesAreOneLineAndNameTheFieldAndTheFolder() throws IOException {
        Path pkgDir = dir.resolve("msg");
        sample().write(pkgDir);
        String good = Files.readString(pkgDir.resolve("vocab.json"));
        Map<String, String> cases = Map.of(
                "[]",
                "vocab.json: must be a JSON object ({...}), but it holds an array",
                "42",
                "vocab.json: must be a JSON object ({...}), but it holds a single value",
                good.replace("\"token\": \"token\"", "\"token\": null"),
                "vocab.json: graphs.step.inputs.token is missing: it must name the graph's tensor",
                good.replace("\"h\": \"h_out\"", "\"h\": \"h\""),
                "vocab.json: graphs.step.inputs.h and graphs.step.outputs.h both name \"h\"",
                good.replace("\"layers\": 2", "\"layers\": \"two\""),
                "vocab.json: a field has the wrong type: ");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(pkgDir.resolve("vocab.json"), c.getKey());
            PackageException e = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir), c.getKey());
            assertTrue(e.getMessage().startsWith(pkgDir.resolve(c.getValue()).toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("GraphSignature["), e.getMessage());
        }
    }

    @Test
    void oversizedFilesAreRefusedBeforeTheyAreRead() throws IOException {
        Path pkgDir = dir.resolve("big");
        sample().write(pkgDir);
        try (RandomAccessFile f =
                new RandomAccessFile(pkgDir.resolve("vocab.json").toFile(), "rw")) {
            f.setLength(ModelPackage.MAX_MANIFEST_BYTES + 1); // sparse: nothing is written
        }
        PackageException e = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(
                e.getMessage().startsWith(pkgDir.resolve("vocab.json") + ": 16777217 bytes, more than a manifest"),
                e.getMessage());
        sample().write(pkgDir);
        try (RandomAccessFile f =
                new RandomAccessFile(pkgDir.resolve("model.onnx").toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        PackageException g = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(
                g.getMessage()
                        .startsWith(pkgDir.resolve("model.onnx") + ": 3221225472 bytes, more than charlstm" + " loads"),
                g.getMessage());
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return ' ';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) ' ');
                return len;
            }
        };
        ClassLoader endlessManifest = new ClassLoader(null) {
            @Override
            public InputStream getResourceAsStream(String name) {
                return name.endsWith("vocab.json") ? endless : new ByteArrayInputStream(GRAPH);
            }
        };
        PackageException s = assertThrows(PackageException.class, () -> ModelPackage.read(endlessManifest, "stream"));
        assertTrue(
                s.getMessage().startsWith("classpath:stream/vocab.json: 16777217 bytes, more than a manifest"),
                s.getMessage());
        byte[] huge = new byte[(int) ModelPackage.MAX_MANIFEST_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        PackageException bytes =
                assertThrows(PackageException.class, () -> ModelPackage.read(huge, GRAPH, null, "mem"));
        assertTrue(
                bytes.getMessage().startsWith("mem/vocab.json: 16777217 bytes, more than a manifest"),
                bytes.getMessage());
        PackageException slash = assertThrows(
                PackageException.class, () -> ModelPackage.read(getClass().getClassLoader(), "/fixtures/tiny"));
        assertTrue(slash.getMessage().contains("have no leading slash; give fixtures/tiny"), slash.getMessage());
    }

    /** A version 1 manifest as charlstm wrote them until 2026-11-30: flat camelCase training, integers as 128.0. */
    static String version1(String graphSha256) {
        return """
                {
                  "format": "charlstm-model",
                  "version": 1,
                  "model": {"architecture": "embedding-lstm-linear", "vocab_size": 3, "embedding_size": 8,
                            "hidden_size": 16, "layers": 2},
                  "vocabulary": {"code_points": [32, 97, 98], "characters": [" ", "a", "b"]},
                  "graph": {"file": "model.onnx", "sha256": "%s", "opset": 17,
                            "inputs": {"token": "token", "logits": null, "h": "h", "c": "c"},
                            "outputs": {"token": null, "logits": "logits", "h": "h_out", "c": "c_out"}},
                  "cleaning": {"drop_lines_containing": null, "keep_newlines": false},
                  "provenance": {"producer": "charlstm 0.1.0", "created_at": "2026-11-30T14:03:14Z",
                    "corpus_source": "moby-dick", "corpus_sha256": "0ddf", "corpus_characters": 1188356,
                    "iterations": 8500, "val_loss": 1.351078460956442, "val_bits_per_char": 1.9491941954737517,
                    "training": {"embeddingSize": 8.0, "hiddenSize": 16.0, "layers": 2.0, "dropout": 0.2,
                      "batchSize": 32.0, "seqLen": 128.0, "iterations": 9000.0, "evalInterval": 500.0,
                      "learningRate": 0.005, "weightDecay": 0.01, "gradClip": 5.0, "schedule": "COSINE",
                      "warmupIterations": 0.0, "finalLearningRateFraction": 0.1, "validationFraction": 0.1,
                      "seed": 0.0, "samplePrompt": "The ", "sampleLength": 200.0}}
                }
                """.formatted(graphSha256);
    }

    @Test
    void readsVersion1AndWritesItAgainAsVersion2WithTheSameMeaning() throws IOException {
        Path v1 = Files.createDirectories(dir.resolve("v1"));
        Files.write(v1.resolve("model.onnx"), GRAPH);
        Files.writeString(v1.resolve("vocab.json"), version1(Sha256.hex(GRAPH)));
        ModelManifest old = ModelPackage.read(v1).manifest();
        assertEquals(new ModelShape(3, 8, 16, 2, 0.2f), old.shape(), "dropout comes from the old training record");
        assertEquals(8500, old.provenance().iterations());
        assertEquals("moby-dick", old.provenance().corpusName());
        assertEquals(0.1, old.provenance().valFraction());
        assertEquals(128, old.provenance().valWindow());
        assertEquals(
                Map.of("batch_size", 32L, "seq_len", 128L, "validation_fraction", 0.1, "seed", 0L),
                old.training().get("data"),
                "integers as integers, in the sections of version 2");
        assertEquals("cosine", ((Map<?, ?>) old.training().get("schedule")).get("kind"));
        assertFalse(old.training().containsKey("model"), "the model section is the shape");

        Path v2 = dir.resolve("v2");
        ModelPackage.of(old, GRAPH).write(v2);
        String text = Files.readString(v2.resolve("vocab.json"));
        assertTrue(
                text.contains("\"version\": 2")
                        && text.contains("\"batch_size\": 32,")
                        && text.contains("\"iterations\": 9000,")
                        && !text.contains("32.0")
                        && !text.contains("null,\n        \"h\""),
                text);
        ModelManifest again = ModelPackage.read(v2).manifest();
        assertEquals(old.shape(), again.shape());
        assertEquals(old.vocabulary(), again.vocabulary());
        assertEquals(old.provenance(), again.provenance());
        assertEquals(old.training(), again.training());
        assertEquals(old.signature(), again.signature());
    }

    @Test
    void aQuantizationThisReaderDoesNotKnowIsRefusedNeverReadAsFloat32() throws IOException {
        PackageException q = rejected(j -> j.addProperty("quantization", "int8"));
        assertTrue(q.getMessage().contains("quantization must be an object"), q.getMessage());
        JsonObject int4 = new JsonObject();
        int4.addProperty("method", "int4-awq");
        PackageException m = rejected(j -> j.add("quantization", int4));
        assertTrue(
                m.getMessage().contains("quantization.method: quantization method \"int4-awq\" is not supported"),
                m.getMessage());
    }

    @Test
    void recordedFactsOutOfRangeOrOfTheWrongShapeAreRefusedNamingTheField() throws IOException {
        Map<Consumer<JsonObject>, String> cases = new LinkedHashMap<>();
        cases.put(
                j -> j.getAsJsonObject("provenance")
                        .getAsJsonObject("validation")
                        .add("nats_per_char", new JsonPrimitive(new BigDecimal("1e400"))),
                "provenance.validation.nats_per_char must be a finite number");
        cases.put(
                j -> j.getAsJsonObject("provenance")
                        .getAsJsonObject("validation")
                        .addProperty("window", 0),
                "validation window must be positive, got 0");
        cases.put(
                j -> j.getAsJsonObject("provenance")
                        .getAsJsonObject("validation")
                        .addProperty("bits_per_char", 99),
                "bits per character 99.0 disagrees");
        cases.put(
                j -> j.getAsJsonObject("provenance").addProperty("iterations", -1), "iterations must be >= 0, got -1");
        cases.put(j -> j.getAsJsonObject("training").addProperty("data", 5), "training.data must be an object");
        cases.put(
                j -> j.getAsJsonObject("training").getAsJsonObject("data").add("seq_len", new JsonArray()),
                "training.data.seq_len must be a number, a string or true/false");
        cases.put(
                j -> j.getAsJsonObject("training").add("model", new JsonObject()),
                "the model section is the manifest's model");
        cases.put(j -> j.getAsJsonObject("model").addProperty("dropout", 1.0), "model: dropout must be in [0, 1)");
        cases.put(j -> j.getAsJsonObject("model").remove("layers"), "model.layers is missing");
        cases.put(
                j -> j.getAsJsonObject("graphs").getAsJsonObject("step").addProperty("opset", 0),
                "graphs.step.opset must be positive, got 0");
        cases.put(
                j -> j.getAsJsonObject("model").addProperty("vocab_size", 3e19), "model.vocab_size must be an integer");
        for (Map.Entry<Consumer<JsonObject>, String> c : cases.entrySet()) {
            PackageException e = rejected(c.getKey());
            assertTrue(e.getMessage().contains(c.getValue()), c.getValue() + " in: " + e.getMessage());
        }
        IllegalArgumentException surrogate =
                assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(new int[] {32, 0xD800}));
        assertTrue(surrogate.getMessage().contains("lone surrogate"), surrogate.getMessage());
    }

    @Test
    void writingRefusesAPackageFolderThatHoldsOtherFilesToo() throws IOException {
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        Files.writeString(pkgDir.resolve("LICENSE.txt"), "keep me");
        PackageException e = assertThrows(PackageException.class, () -> sample().write(pkgDir));
        assertTrue(
                e.getMessage().contains("holds files that are not part of a model package (LICENSE.txt)"),
                e.getMessage());
        assertEquals("keep me", Files.readString(pkgDir.resolve("LICENSE.txt")));
    }
}
