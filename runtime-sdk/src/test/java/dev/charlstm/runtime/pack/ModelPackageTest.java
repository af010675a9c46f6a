package dev.charlstm.runtime.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        ModelInfo info = ModelInfo.builder()
                .vocabulary(Vocabulary.ofText("hello, whale \uD83D\uDC33\n"))
                .embeddingSize(8).hiddenSize(16).layers(2).opset(17)
                .cleaning("Page", true)
                .provenance(new Provenance("charlstm test", "2026-11-28T00:00:00Z", "data/x", "abc", 1234L, 300,
                        1.25, Map.of("seqLen", 32.0)))
                .build();
        return ModelPackage.of(info, GRAPH);
    }

    @Test
    void writeThenReadRoundTrips() {
        Path pkgDir = dir.resolve("pkg");
        sample().write(pkgDir);
        ModelPackage read = ModelPackage.read(pkgDir);
        ModelInfo info = read.info();
        assertEquals(sample().info().vocabulary(), info.vocabulary());
        assertEquals(10, info.vocabSize());
        assertEquals(0x1F433, info.vocabulary().codePoint(9), "an emoji is one entry");
        assertEquals(8, info.embeddingSize());
        assertEquals(16, info.hiddenSize());
        assertEquals(2, info.layers());
        assertEquals(GraphSignature.DEFAULT, info.signature());
        assertEquals(ModelPackage.sha256(GRAPH), info.modelSha256());
        assertEquals("Page", info.dropLinesContaining());
        assertTrue(info.keepNewlines());
        assertEquals(1.25, info.provenance().valLoss());
        assertEquals(300, info.provenance().iterations());
        assertEquals(32.0, info.provenance().training().get("seqLen"));
        assertArrayEquals(GRAPH, read.modelBytes());
    }

    @Test
    void vocabJsonIsVersionedAndReadable() throws IOException {
        sample().write(dir.resolve("pkg"));
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("pkg/vocab.json"))).getAsJsonObject();
        assertEquals("charlstm-model", j.get("format").getAsString());
        assertEquals(1, j.get("version").getAsInt());
        assertEquals(10, j.getAsJsonObject("model").get("vocab_size").getAsInt());
        assertEquals("\uD83D\uDC33", j.getAsJsonObject("vocabulary").getAsJsonArray("characters").get(9).getAsString());
        assertEquals("h_out", j.getAsJsonObject("graph").getAsJsonObject("outputs").get("h").getAsString());
        assertEquals(1.25 / Math.log(2), j.getAsJsonObject("provenance").get("val_bits_per_char").getAsDouble(), 1e-12);
    }

    @Test
    void readsFromTheClasspathAndFromStreams() throws IOException {
        Path root = dir.resolve("cp");
        sample().write(root.resolve("models/demo"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            ModelPackage p = ModelPackage.readResource("models/demo", loader);
            assertEquals(10, p.info().vocabSize());
            PackageException e = assertThrows(PackageException.class,
                    () -> ModelPackage.readResource("models/none", loader));
            assertTrue(e.getMessage().contains("classpath:models/none/vocab.json: no such resource"), e.getMessage());
        }
        ModelPackage s = ModelPackage.read(new ByteArrayInputStream(sample().vocabJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayInputStream(GRAPH), "memory");
        assertEquals(16, s.info().hiddenSize());
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
        assertTrue(e.getMessage().contains("model.onnx: SHA-256") && e.getMessage().contains("does not match"),
                e.getMessage());
    }

    @Test
    void rejectsAnotherFormatOrVersion() throws IOException {
        PackageException format = rejected(j -> j.addProperty("format", "something-else"));
        assertTrue(format.getMessage().contains("format is \"something-else\", expected \"charlstm-model\""),
                format.getMessage());
        PackageException version = rejected(j -> j.addProperty("version", 2));
        assertTrue(version.getMessage().contains("format version 2 is not supported"), version.getMessage());
        PackageException missing = rejected(j -> j.remove("version"));
        assertTrue(missing.getMessage().contains("format version null"), missing.getMessage());
    }

    @Test
    void rejectsAVocabularyThatDisagreesWithTheDimensions() throws IOException {
        PackageException size = rejected(j -> j.getAsJsonObject("model").addProperty("vocab_size", 11));
        assertTrue(size.getMessage().contains("the vocabulary has 10 entries but model.vocab_size is 11"),
                size.getMessage());
        PackageException order = rejected(j -> {
            var cps = j.getAsJsonObject("vocabulary").getAsJsonArray("code_points");
            var first = cps.get(0);
            cps.set(0, cps.get(1));
            cps.set(1, first);
        });
        assertTrue(order.getMessage().contains("strictly ascending"), order.getMessage());
        PackageException chars = rejected(j ->
                j.getAsJsonObject("vocabulary").getAsJsonArray("characters").set(3, new com.google.gson.JsonPrimitive("x")));
        assertTrue(chars.getMessage().contains("vocabulary.characters[3] disagrees"), chars.getMessage());
        PackageException dims = rejected(j -> j.getAsJsonObject("model").addProperty("hidden_size", 0));
        assertTrue(dims.getMessage().contains("hidden size must be positive, got 0"), dims.getMessage());
        PackageException names = rejected(j -> j.getAsJsonObject("graph").getAsJsonObject("outputs").addProperty("h", "h"));
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
        ModelPackage other = ModelPackage.of(sample().info().toBuilder().hiddenSize(32).build(), GRAPH);
        other.write(pkgDir);
        assertEquals(32, ModelPackage.read(pkgDir).info().hiddenSize());

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
                "[]", "vocab.json: must be a JSON object ({...}), but it holds an array",
                "42", "vocab.json: must be a JSON object ({...}), but it holds a single value",
                good.replace("\"token\": \"token\"", "\"token\": null"),
                "vocab.json: graph.inputs.token is missing: it must name the graph's tensor",
                good.replace("\"h\": \"h_out\"", "\"h\": \"h\""),
                "vocab.json: graph.inputs.h and graph.outputs.h both name \"h\"",
                good.replace("\"layers\": 2", "\"layers\": \"two\""), "vocab.json: a field has the wrong type: ");
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
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(pkgDir.resolve("vocab.json").toFile(), "rw")) {
            f.setLength(ModelPackage.MAX_MANIFEST_BYTES + 1); // sparse: nothing is written
        }
        PackageException e = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(e.getMessage().startsWith(pkgDir.resolve("vocab.json") + ": 16777217 bytes, more than a manifest"),
                e.getMessage());
        sample().write(pkgDir);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(pkgDir.resolve("model.onnx").toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        PackageException g = assertThrows(PackageException.class, () -> ModelPackage.read(pkgDir));
        assertTrue(g.getMessage().startsWith(pkgDir.resolve("model.onnx") + ": 3221225472 bytes, more than charlstm"
                + " loads"), g.getMessage());
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                return ' ';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) ' ');
                return len;
            }
        };
        PackageException s = assertThrows(PackageException.class,
                () -> ModelPackage.read(endless, new ByteArrayInputStream(GRAPH), "stream"));
        assertTrue(s.getMessage().startsWith("stream/vocab.json: 16777217 bytes, more than a manifest"), s.getMessage());
    }
}
