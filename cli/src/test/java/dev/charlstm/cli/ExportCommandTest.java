package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.runtime.pack.ModelPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        Cli.Result r = Cli.run(args);
        return new String[] {Integer.toString(r.code()), r.out(), r.err()};
    }

    @Test
    void trainingExportsItsBestCheckpointAndExportWritesAnyCheckpoint() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "It was the best of times, it was the worst of times. ".repeat(40));
        Path runDir = dir.resolve("run");
        String[] train = run(Cli.tinyTraining(
                data.toString(), runDir.toString(), "10", "--eval-interval", "5", "--sample-length", "0"));
        assertEquals("0", train[0], train[2]);
        assertTrue(train[1].contains("model package " + runDir.resolve("model")), train[1]);
        ModelPackage trained = ModelPackage.read(runDir.resolve("model"));
        assertEquals(10, trained.manifest().provenance().iterations());

        Path out = dir.resolve("pkg");
        String[] export =
                run("export", "--checkpoint", runDir.resolve("last.ckpt").toString(), "--out", out.toString());
        assertEquals("0", export[0], export[2]);
        assertTrue(export[1].startsWith("exported " + runDir.resolve("last.ckpt")), export[1]);
        ModelPackage pkg = ModelPackage.read(out);
        assertEquals(trained.manifest().vocabulary(), pkg.manifest().vocabulary());
        assertEquals(16, pkg.manifest().shape().embeddingSize());

        String[] fromDir = run(
                "export",
                "--checkpoint",
                runDir.toString(),
                "--out",
                dir.resolve("pkg2").toString());
        assertEquals("0", fromDir[0], fromDir[2]);
        assertTrue(fromDir[1].contains("best.ckpt"), fromDir[1]);
    }

    @Test
    void aMissingOrCorruptCheckpointFailsWithoutAPackage() throws IOException {
        Path out = dir.resolve("pkg");
        String[] missing =
                run("export", "--checkpoint", dir.resolve("none.ckpt").toString(), "--out", out.toString());
        assertEquals("1", missing[0]);
        assertTrue(
                missing[2].startsWith("charlstm: error: ") && missing[2].contains("no such checkpoint file"),
                missing[2]);
        Path bad = dir.resolve("bad.ckpt");
        Files.writeString(bad, "not a zip");
        String[] corrupt = run("export", "--checkpoint", bad.toString(), "--out", out.toString());
        assertEquals("1", corrupt[0]);
        assertFalse(corrupt[2].contains("\tat "), corrupt[2]);
        assertFalse(Files.exists(out), "a failed export leaves no package");
        Path shipped = Path.of("../models/moby-dick");
        String[] aPackage = run("export", "--checkpoint", shipped.toString(), "--out", out.toString());
        assertEquals("2", aPackage[0], aPackage[2]);
        assertTrue(
                aPackage[2].contains(shipped + ": a model package, not a checkpoint or run folder; give it with"
                        + " --package " + shipped),
                aPackage[2]);
        assertFalse(Files.exists(out), "a refused export leaves no package");
    }

    @Test
    void aVersion1PackageAndItsVersion2CopyShowTheSameInfoAndGenerateTheSameText() throws IOException {
        // The shipped package as it was shipped in format version 1 (kept as a fixture for this reader).
        Path v1pkg = Path.of("src/test/resources/packages/moby-dick-v1");
        assertTrue(
                Files.readString(v1pkg.resolve("vocab.json")).contains("\"version\": 1,"),
                "the fixture is of format version 1: what this test reads");
        Path copy = dir.resolve("v2");
        String[] export = run("export", "--package", v1pkg.toString(), "--out", copy.toString());
        assertEquals("0", export[0], export[2]);
        String manifest = Files.readString(copy.resolve("vocab.json"));
        assertTrue(
                manifest.contains("\"version\": 2,")
                        && manifest.contains("\"embedding_size\": 128,")
                        && manifest.contains("\"batch_size\": 32,")
                        && manifest.contains("\"iterations\": 9000,")
                        && manifest.contains("\"sequence\": {")
                        && manifest.contains("\"quantization\": null")
                        && !manifest.contains("128.0")
                        && !manifest.contains("\"logits\": null"),
                manifest);
        assertTrue(Files.isRegularFile(copy.resolve("sequence.onnx")));

        String[] v1 = run("info", "--model", v1pkg.toString());
        String[] v2 = run("info", "--model", copy.toString());
        assertEquals("0", v1[0], v1[2]);
        assertEquals(
                withoutGraphLines(v1[1].replace(v1pkg.toString(), "PKG")),
                withoutGraphLines(v2[1].replace(copy.toString(), "PKG")));
        assertTrue(
                v1[1].contains("dropout 0.2 between layers")
                        && v1[1].contains("batch_size 32, seq_len 128,")
                        && v1[1].contains("optimisation: learning_rate 0.005")
                        && v1[1].contains("kind \"cosine\"")
                        && v1[1].contains("windows of 128 characters"),
                v1[1]);
        // The same weights: the same text for the same seed, whichever graph layout carries them.
        String[] a = run("generate", "--model", v1pkg.toString(), "--seed", "3", "--max-chars", "200", "Call me ");
        String[] b = run("generate", "--model", copy.toString(), "--seed", "3", "--max-chars", "200", "Call me ");
        assertEquals("0", a[0], a[2]);
        assertEquals(a[1], b[1]);
    }

    @Test
    void anEarlierDynamicInt8PackageGeneratesAndIsRewrittenAsStaticInt8() throws IOException {
        // The shipped int8 package as it was before static-int8 (kept as a fixture for this reader).
        Path old = Path.of("src/test/resources/packages/moby-dick-int8-dynamic");
        assertTrue(Files.readString(old.resolve("vocab.json")).contains("\"method\": \"dynamic-int8\""));
        String[] info = run("info", "--model", old.toString());
        assertEquals("0", info[0], info[2]);
        assertTrue(info[1].contains("precision    dynamic-int8: weights int8, symmetric, per output channel"), info[1]);
        String[] generated = run("generate", "--model", old.toString(), "--seed", "3", "--max-chars", "50", "Call me ");
        assertEquals("0", generated[0], generated[2]);
        assertTrue(generated[1].startsWith("Call me ") && generated[1].length() > 50, generated[1]);

        Path out = dir.resolve("rewritten");
        String[] rewrite = run("export", "--package", old.toString(), "--out", out.toString(), "--quantize", "int8");
        assertEquals("0", rewrite[0], rewrite[2]);
        ModelPackage pkg = ModelPackage.read(out);
        assertEquals("static-int8", pkg.manifest().precision());
        assertEquals(
                ModelPackage.read(old).manifest().quantization().sourceSha256(),
                pkg.manifest().quantization().sourceSha256(),
                "still names the float32 source");
        String[] toFloat = run(
                "export", "--package", old.toString(), "--out", dir.resolve("f").toString());
        assertEquals("2", toFloat[0]);
        assertTrue(
                toFloat[2].contains("already quantized (dynamic-int8)") && toFloat[2].contains("--quantize int8"),
                toFloat[2]);
        String[] again = run(
                "export", "--package", out.toString(), "--out", dir.resolve("g").toString(), "--quantize", "int8");
        assertEquals("2", again[0]);
        assertTrue(again[2].contains("already quantized (static-int8)"), again[2]);
    }

    /** A package whose model.onnx is another model's step graph, or its own sequence graph, is named as such. */
    @Test
    void aPackageHoldingTheWrongGraphIsNamedForWhatItHolds() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "It was the best of times, it was the worst of times. ".repeat(40));
        assertEquals(
                "0",
                run(Cli.tinyTraining(
                        data.toString(),
                        dir.resolve("run").toString(),
                        "5",
                        "--eval-interval",
                        "5",
                        "--sample-length",
                        "0"))[0]);
        Path shipped = Path.of("../models/moby-dick");
        for (String graph : new String[] {"other", "sequence"}) {
            Path pkg = Files.createDirectories(dir.resolve("swapped-" + graph));
            for (String f : new String[] {"model.onnx", "sequence.onnx", "vocab.json"}) {
                Files.copy(shipped.resolve(f), pkg.resolve(f));
            }
            byte[] replacement = Files.readAllBytes(
                    graph.equals("other") ? dir.resolve("run/model/model.onnx") : shipped.resolve("sequence.onnx"));
            Files.write(pkg.resolve("model.onnx"), replacement);
            Files.writeString(
                    pkg.resolve("vocab.json"),
                    Files.readString(pkg.resolve("vocab.json"))
                            .replace(ModelPackage.read(shipped).manifest().modelSha256(), Sha256.hex(replacement)));
            String[] export = run(
                    "export",
                    "--package",
                    pkg.toString(),
                    "--out",
                    dir.resolve("out-" + graph).toString());
            assertEquals("1", export[0], export[2]);
            String expected = graph.equals("other")
                    ? pkg.resolve("model.onnx") + ": holds the weights of a V"
                            + ModelPackage.read(dir.resolve("run/model"))
                                    .manifest()
                                    .shape()
                                    .vocabSize() + " E16 H32 L1 model, but vocab.json"
                            + " describes V80 E128 H256 L2"
                    : pkg.resolve("model.onnx") + ": is a sequence graph (inputs [tokens, h, c]), not the step graph";
            assertTrue(export[2].startsWith("charlstm: error: " + expected), export[2]);
            assertEquals(
                    1,
                    export[2].split(Pattern.quote(pkg.resolve("model.onnx").toString()), -1).length - 1,
                    "the file named once: " + export[2]);
        }
    }

    private static String withoutGraphLines(String info) {
        return info.lines().filter(l -> !l.startsWith("graph")).reduce("", (x, y) -> x + y + "\n");
    }
}
