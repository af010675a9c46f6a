package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharLstmModelTest {

    @TempDir
    Path dir;

    /** Copies the tiny fixture into a folder, optionally editing its vocab.json (the graph's hash stays valid). */
    private Path tinyCopy(Consumer<JsonObject> edit) throws IOException {
        ModelPackage pkg = ModelPackage.read(getClass().getClassLoader(), "fixtures/tiny");
        Path p = dir.resolve("pkg");
        pkg.write(p);
        if (edit != null) {
            JsonObject j = JsonParser.parseString(Files.readString(p.resolve("vocab.json")))
                    .getAsJsonObject();
            edit.accept(j);
            Files.writeString(p.resolve("vocab.json"), j.toString());
        }
        return p;
    }

    @Test
    void loadsFromAFolderAndFromTheClasspathAlike() throws IOException {
        try (CharLstmModel fromDir = CharLstmModel.load(tinyCopy(null));
                CharLstmModel fromJar = Fixtures.tiny()) {
            assertEquals(16, fromDir.manifest().shape().vocabSize());
            assertEquals(2, fromDir.manifest().shape().layers());
            assertEquals("CPU", fromDir.provider());
            GenerationOptions o =
                    GenerationOptions.builder().maxCharacters(50).seed(5).build();
            assertEquals(
                    fromDir.generate("the ", o).text(),
                    fromJar.generate("the ", o).text());
        }
    }

    @Test
    void aClosedModelSaysSo() {
        CharLstmModel model = Fixtures.tiny();
        GenerationStream s = model.newStream();
        model.close();
        model.close();
        IllegalStateException a = assertThrows(IllegalStateException.class, () -> model.newStream());
        assertEquals("the model is closed", a.getMessage());
        IllegalStateException b = assertThrows(IllegalStateException.class, () -> s.feed("the"));
        assertEquals("the model is closed", b.getMessage());
        s.close();
    }

    @Test
    void aGraphThatDisagreesWithVocabJsonIsRejected() throws IOException {
        // One character fewer in vocab.json (consistently), while the graph's logits still have 16.
        Path p = tinyCopy(j -> {
            JsonObject v = j.getAsJsonObject("vocabulary");
            JsonArray cps = v.getAsJsonArray("code_points");
            cps.remove(cps.size() - 1);
            v.getAsJsonArray("characters").remove(cps.size());
            j.getAsJsonObject("model").addProperty("vocab_size", 15);
        });
        PackageException e = assertThrows(PackageException.class, () -> CharLstmModel.load(p));
        assertTrue(
                e.getMessage().contains("logits is FLOAT [-1, 16], but vocab.json describes FLOAT [batch, 15]"),
                e.getMessage());

        Path names = tinyCopy(j -> j.getAsJsonObject("graphs")
                .getAsJsonObject("step")
                .getAsJsonObject("inputs")
                .addProperty("token", "ids"));
        PackageException n = assertThrows(PackageException.class, () -> CharLstmModel.load(names));
        assertTrue(
                n.getMessage().contains("the graph's inputs are")
                        && n.getMessage().contains("ids"),
                n.getMessage());

        Path hidden = tinyCopy(j -> j.getAsJsonObject("model").addProperty("hidden_size", 64));
        PackageException h = assertThrows(PackageException.class, () -> CharLstmModel.load(hidden));
        assertTrue(h.getMessage().contains("H and L must match"), h.getMessage());
    }

    @Test
    void aCorruptGraphFailsAsAPackageProblem() throws IOException {
        Path p = tinyCopy(null);
        byte[] junk = "definitely not protobuf".getBytes(StandardCharsets.UTF_8);
        Files.write(p.resolve("model.onnx"), junk);
        JsonObject j = JsonParser.parseString(Files.readString(p.resolve("vocab.json")))
                .getAsJsonObject();
        j.getAsJsonObject("graphs").getAsJsonObject("step").addProperty("sha256", Sha256.hex(junk));
        Files.writeString(p.resolve("vocab.json"), j.toString());
        PackageException e = assertThrows(PackageException.class, () -> CharLstmModel.load(p));
        assertTrue(
                e.getMessage().startsWith(p.resolve("model.onnx") + ": ONNX Runtime cannot load it"), e.getMessage());
    }

    @Test
    void gpuWithoutCudaFailsClearlyAndAutoFallsBackToCpu() throws IOException {
        Path p = tinyCopy(null);
        try (CharLstmModel auto = CharLstmModel.load(
                p, RuntimeOptions.builder().device(DeviceChoice.AUTO).build())) {
            // On a machine with CUDA and the GPU build this is CUDA; everywhere else the fallback.
            assertTrue(auto.provider().equals("CPU") || auto.provider().equals("CUDA"));
            if (auto.provider().equals("CPU")) {
                GpuUnavailableException e = assertThrows(
                        GpuUnavailableException.class,
                        () -> CharLstmModel.load(
                                p,
                                RuntimeOptions.builder()
                                        .device(DeviceChoice.GPU)
                                        .build()));
                assertTrue(e.getMessage().contains("cannot add the CUDA provider"), e.getMessage());
            }
        }
    }
}
