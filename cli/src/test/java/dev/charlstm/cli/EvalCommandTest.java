package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.pack.ModelPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code charlstm eval} and {@code export --quantize int8} end to end, on a model trained here. */
class EvalCommandTest {

    @TempDir
    static Path dir;

    private static Path data;
    private static Path run;

    @BeforeAll
    static void train() {
        data = TinyRun.data();
        run = TinyRun.run();
    }

    private static JsonObject json(Cli.Result r) {
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void evalReproducesTheRecordedValidationLossAndInt8StaysClose() {
        Path pkg = run.resolve("model");
        JsonObject fp32 = json(Cli.run("eval", "--model", pkg.toString(), "--data", data.toString(), "--json"));
        assertTrue(fp32.get("same_corpus_as_training").getAsBoolean());
        assertEquals("held-out tail", fp32.get("scored").getAsString());
        assertEquals(
                fp32.get("recorded_nats_per_char").getAsDouble(),
                fp32.get("nats_per_char").getAsDouble(),
                1e-4);
        assertEquals("sequence", fp32.get("graph").getAsString());

        Path int8 = dir.resolve("int8");
        Cli.Result export =
                Cli.run("export", "--checkpoint", run.toString(), "--out", int8.toString(), "--quantize", "int8");
        assertEquals(0, export.code(), export.err());
        assertTrue(
                export.out().contains("static-int8")
                        && export.out()
                                .contains("quantized from the float32" + " model.onnx with sha256 "
                                        + ModelPackage.read(pkg).manifest().modelSha256()),
                export.out());
        JsonObject q = json(Cli.run("eval", "--model", int8.toString(), "--data", data.toString(), "--json"));
        assertEquals("static-int8", q.get("precision").getAsString());
        assertEquals(
                fp32.get("nats_per_char").getAsDouble(), q.get("nats_per_char").getAsDouble(), 0.01);

        JsonObject all = json(Cli.run("eval", "--model", pkg.toString(), "--data", data.toString(), "--json", "--all"));
        assertEquals(0, all.get("first_index").getAsInt());
        assertTrue(all.get("recorded_nats_per_char").isJsonNull(), "the whole text is not what was recorded");

        Cli.Result text = Cli.run("eval", "--model", int8.toString(), "--data", data.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("measured by the trainer on its float32 source"), text.out());
    }

    @Test
    void badInputIsOneLineNamingTheProblem() throws IOException {
        Path pkg = run.resolve("model");
        Cli.Result fraction = Cli.run("eval", "--model", pkg.toString(), "--data", data.toString(), "--held-out", "2");
        assertEquals(2, fraction.code());
        assertTrue(fraction.err().contains("held-out fraction must be in (0, 1), got 2.0"), fraction.err());

        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("b.txt"), "the whale swam Quickly. ".repeat(20));
        Cli.Result unknown = Cli.run("eval", "--model", pkg.toString(), "--data", other.toString(), "--all");
        assertEquals(1, unknown.code());
        assertTrue(
                unknown.err()
                        .startsWith("charlstm: error: " + other.resolve("b.txt") + ", line 1, column 16:"
                                + " character U+0051 'Q' is not in the model's vocabulary"),
                unknown.err());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());

        Path shortText = Files.createDirectories(dir.resolve("short"));
        Files.writeString(shortText.resolve("c.txt"), "the whale swam deep.");
        Cli.Result tooShort = Cli.run("eval", "--model", pkg.toString(), "--data", shortText.toString());
        assertTrue(
                tooShort.code() == 1
                        && tooShort.err().contains("too few for one window")
                        && tooShort.err().contains("(eval --window)")
                        && tooShort.err().contains("eval --all"),
                tooShort.err());
        Cli.Result huge = Cli.run(
                "eval", "--model", pkg.toString(), "--data", data.toString(), "--all", "--window", "2147483647");
        assertTrue(
                huge.code() == 1 && huge.err().contains("(a window needs 2147483648: 2147483647 inputs"), huge.err());
        Cli.Result nan = Cli.run("eval", "--model", pkg.toString(), "--data", data.toString(), "--held-out", "NaN");
        assertEquals(2, nan.code(), nan.err());
        Cli.Result both =
                Cli.run("eval", "--model", pkg.toString(), "--data", data.toString(), "--held-out", "0.2", "--all");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--held-out and --all exclude each other"), both.err());
        Cli.Result notInt = Cli.run("eval", "--model", pkg.toString(), "--data", data.toString(), "--window", "abc");
        assertEquals(2, notInt.code());
        assertEquals(1, notInt.err().strip().lines().count(), "one line, not the usage screen: " + notInt.err());

        Cli.Result twice = Cli.run(
                "export",
                "--package",
                dir.resolve("int8").toString(),
                "--out",
                dir.resolve("int8-again").toString(),
                "--quantize",
                "int8");
        if (Files.isDirectory(dir.resolve("int8"))) {
            assertEquals(2, twice.code());
            assertTrue(twice.err().contains("already quantized (dynamic-int8)"), twice.err());
            assertFalse(Files.exists(dir.resolve("int8-again")));
        }
    }

    @Test
    void bothShippedPackagesLoadGenerateAndAgreeOnText() {
        Path fp32 = Path.of("../models/moby-dick");
        Path int8 = Path.of("../models/moby-dick-int8");
        assertEquals(
                ModelPackage.read(fp32).manifest().modelSha256(),
                ModelPackage.read(int8).manifest().quantization().sourceSha256(),
                "the int8 package names its source");
        for (Path p : new Path[] {fp32, int8}) {
            Cli.Result g = Cli.run("generate", "--model", p.toString(), "--max-chars", "80", "--seed", "2", "Call me ");
            assertEquals(0, g.code(), g.err());
            assertEquals(
                    "Call me ".length() + 80,
                    g.out().strip().codePointCount(0, g.out().strip().length()),
                    g.out());
        }
        String text = "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in"
                + " my purse, and nothing particular to interest me on shore, I thought I would sail about a little"
                + " and see the watery part of the world.";
        Path sample = dir.resolve("sample");
        try {
            Files.createDirectories(sample);
            Files.writeString(sample.resolve("s.txt"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double a = json(Cli.run(
                        "eval",
                        "--model",
                        fp32.toString(),
                        "--data",
                        sample.toString(),
                        "--all",
                        "--window",
                        "64",
                        "--json"))
                .get("nats_per_char")
                .getAsDouble();
        double b = json(Cli.run("eval", "--data", sample.toString(), "--all", "--window", "64", "--json"))
                .get("nats_per_char")
                .getAsDouble();
        assertEquals(a, b, 0.05, "the default (int8) package scores like its float32 source");
    }
}
