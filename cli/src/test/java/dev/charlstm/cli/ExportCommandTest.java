package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.pack.ModelPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        String[] train = run("train", "--preset", "tiny", "--data", data.toString(), "--out", runDir.toString(),
                "--iterations", "10", "--eval-interval", "5", "--sample-length", "0");
        assertEquals("0", train[0], train[2]);
        assertTrue(train[1].contains("model package " + runDir.resolve("model")), train[1]);
        ModelPackage trained = ModelPackage.read(runDir.resolve("model"));
        assertEquals(10, trained.manifest().provenance().iterations());

        Path out = dir.resolve("pkg");
        String[] export = run("export", "--checkpoint", runDir.resolve("last.ckpt").toString(), "--out", out.toString());
        assertEquals("0", export[0], export[2]);
        assertTrue(export[1].startsWith("exported " + runDir.resolve("last.ckpt")), export[1]);
        ModelPackage pkg = ModelPackage.read(out);
        assertEquals(trained.manifest().vocabulary(), pkg.manifest().vocabulary());
        assertEquals(16, pkg.manifest().shape().embeddingSize());

        String[] fromDir = run("export", "--checkpoint", runDir.toString(), "--out", dir.resolve("pkg2").toString());
        assertEquals("0", fromDir[0], fromDir[2]);
        assertTrue(fromDir[1].contains("best.ckpt"), fromDir[1]);
    }

    @Test
    void aMissingOrCorruptCheckpointFailsWithoutAPackage() throws IOException {
        Path out = dir.resolve("pkg");
        String[] missing = run("export", "--checkpoint", dir.resolve("none.ckpt").toString(), "--out", out.toString());
        assertEquals("1", missing[0]);
        assertTrue(missing[2].startsWith("charlstm: error: ") && missing[2].contains("no such checkpoint file"),
                missing[2]);
        Path bad = dir.resolve("bad.ckpt");
        Files.writeString(bad, "not a zip");
        String[] corrupt = run("export", "--checkpoint", bad.toString(), "--out", out.toString());
        assertEquals("1", corrupt[0]);
        assertFalse(corrupt[2].contains("\tat "), corrupt[2]);
        assertFalse(Files.exists(out), "a failed export leaves no package");
    }

    @Test
    void theShippedVersion1PackageAndItsVersion2CopyShowTheSameInfo() throws IOException {
        Path shipped = Path.of("../models/moby-dick");
        assertTrue(Files.readString(shipped.resolve("vocab.json")).contains("\"version\": 1,"),
                "the shipped package is of format version 1: what this test reads");
        Path copy = dir.resolve("v2");
        String[] export = run("export", "--package", shipped.toString(), "--out", copy.toString());
        assertEquals("0", export[0], export[2]);
        String manifest = Files.readString(copy.resolve("vocab.json"));
        assertTrue(manifest.contains("\"version\": 2,") && manifest.contains("\"embedding_size\": 128,")
                && manifest.contains("\"batch_size\": 32,") && manifest.contains("\"iterations\": 9000,")
                && !manifest.contains("128.0") && !manifest.contains("\"logits\": null"), manifest);
        assertArrayEquals(Files.readAllBytes(shipped.resolve("model.onnx")), Files.readAllBytes(copy.resolve("model.onnx")));

        String[] v1 = run("info", "--model", shipped.toString());
        String[] v2 = run("info", "--model", copy.toString());
        assertEquals("0", v1[0], v1[2]);
        assertEquals(v1[1].replace(shipped.toString(), "PKG"), v2[1].replace(copy.toString(), "PKG"));
        assertTrue(v1[1].contains("dropout 0.2 between layers") && v1[1].contains("batch_size 32, seq_len 128,")
                && v1[1].contains("optimisation: learning_rate 0.005") && v1[1].contains("kind \"cosine\"")
                && v1[1].contains("windows of 128 characters"), v1[1]);
    }
}
