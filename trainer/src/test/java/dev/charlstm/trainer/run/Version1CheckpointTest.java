package dev.charlstm.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.config.TrainingConfig.ScheduleKind;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import dev.charlstm.trainer.export.PackageExporter;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.ValidationReport;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written by the code before checkpoint format 2 (resources/checkpoints/v1, see its README) still
 * reads, resumes where it stopped exactly as the old code continued, and exports a package of format 2.
 */
class Version1CheckpointTest {

    private static final Engine ENGINE = TorchEngine.start(0);

    @TempDir
    Path dir;

    private Path copyOfTheOldRun() throws IOException, URISyntaxException {
        Path from = Path.of(getClass().getResource("/checkpoints/v1/run").toURI());
        Path run = Files.createDirectories(dir.resolve("run"));
        for (String f : List.of("last.ckpt", "best.ckpt", "metrics.jsonl")) {
            Files.copy(from.resolve(f), run.resolve(f));
        }
        return run;
    }

    @Test
    void aVersion1CheckpointResumesAsTheOldCodeWouldHaveContinued() throws Exception {
        Path run = copyOfTheOldRun();
        Checkpoint old = Checkpoint.read(run.resolve(RunDirectory.LAST));
        // every value as the frozen file holds it (not from a preset, which may change after the file was written)
        TrainingConfig expected = TrainingConfig.builder()
                .set(TrainingConfig.EMBEDDING_SIZE, 8)
                .set(TrainingConfig.HIDDEN_SIZE, 8)
                .set(TrainingConfig.LAYERS, 1)
                .set(TrainingConfig.DROPOUT, 0f)
                .set(TrainingConfig.BATCH_SIZE, 4)
                .set(TrainingConfig.SEQ_LEN, 16)
                .set(TrainingConfig.VALIDATION_FRACTION, 0.1)
                .set(TrainingConfig.SEED, 5L)
                .set(TrainingConfig.LEARNING_RATE, 0.01f)
                .set(TrainingConfig.WEIGHT_DECAY, 0.01f)
                .set(TrainingConfig.GRAD_CLIP, 1f)
                .set(TrainingConfig.LABEL_SMOOTHING, 0f)
                .set(TrainingConfig.ITERATIONS, 10)
                .set(TrainingConfig.SCHEDULE, ScheduleKind.CONSTANT)
                .set(TrainingConfig.WARMUP, 0)
                .set(TrainingConfig.FINAL_LR_FRACTION, 0.1f)
                .set(TrainingConfig.EVAL_INTERVAL, 5)
                .set(TrainingConfig.SAMPLE_PROMPT, "The ")
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .build();
        assertEquals(expected, old.metadata().config(), "the flat version 1 configuration, read into its sections");
        assertEquals(10, old.metadata().iteration());
        assertEquals(10, old.metadata().rng().nextBatch());

        Path corpusFile =
                Path.of(getClass().getResource("/checkpoints/v1/corpus.txt").toURI());
        Corpus corpus = new CorpusReader(old.metadata().cleaning()).read(corpusFile);
        List<ValidationReport> evaluations = new ArrayList<>();
        try (TrainingRun resumed = TrainingRun.resume(ENGINE, run, corpus, 20, Device.cpu())) {
            resumed.train(new TrainingListener() {
                @Override
                public void onEvaluation(ValidationReport e, Trainer trainer) {
                    evaluations.add(e);
                }
            });
        }
        List<String> straight = Files.readAllLines(Path.of(
                getClass().getResource("/checkpoints/v1/straight-metrics.jsonl").toURI()));
        for (int k = 0; k < 2; k++) {
            JsonObject o = JsonParser.parseString(straight.get(2 + k)).getAsJsonObject();
            assertEquals(o.get("iteration").getAsInt(), evaluations.get(k).iteration());
            assertEquals(
                    o.get("val_loss").getAsDouble(),
                    evaluations.get(k).valLoss(),
                    1e-4,
                    "the old code, never interrupted, at iteration "
                            + evaluations.get(k).iteration());
        }
        assertEquals(4, Files.readAllLines(run.resolve(RunDirectory.METRICS)).size());
        try (ZipFile zip = new ZipFile(run.resolve(RunDirectory.LAST).toFile())) {
            String json = new String(
                    zip.getInputStream(zip.getEntry("checkpoint.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(
                    2,
                    JsonParser.parseString(json)
                            .getAsJsonObject()
                            .get("version")
                            .getAsInt(),
                    "what a resumed run writes is version 2: " + json);
            assertTrue(json.contains("\"embedding_size\": 8,") && json.contains("\"learning_rate\": 0.01,"), json);
        }
    }

    @Test
    void aVersion1CheckpointExportsAVersion2Package() throws Exception {
        Path run = copyOfTheOldRun();
        TorchEngine.start(0);
        Path out = dir.resolve("pkg");
        PackageExporter.export(Checkpoint.read(run.resolve(RunDirectory.BEST)), out);
        String manifest = Files.readString(out.resolve(ModelPackage.MANIFEST_FILE));
        assertTrue(
                manifest.contains("\"version\": 2,")
                        && manifest.contains("\"hidden_size\": 8,")
                        && manifest.contains("\"batch_size\": 4,")
                        && manifest.contains("\"seq_len\": 16,")
                        // as values, not anywhere: a created_at of 12:35:04.06 holds "4.0"
                        && !manifest.contains(": 8.0")
                        && !manifest.contains(": 4.0"),
                manifest);
        assertEquals(10, ModelPackage.read(out).manifest().provenance().iterations());
    }

    /** Rewrites checkpoint.json inside a checkpoint (the digests cover only the binary entries). */
    private static Path edited(Path ckpt, Path out, UnaryOperator<String> edit) throws IOException {
        try (ZipFile in = new ZipFile(ckpt.toFile());
                ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (var e : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("checkpoint.json")) {
                    bytes = edit.apply(new String(bytes, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out;
    }

    @Test
    void aCheckpointWhoseConfigurationDisagreesWithItsWeightsOrLacksAValueIsRefused() throws Exception {
        Path run = copyOfTheOldRun();
        Path wrongShape = edited(
                run.resolve("last.ckpt"),
                dir.resolve("e16.ckpt"),
                j -> j.replace("\"embeddingSize\": 8,", "\"embeddingSize\": 16,"));
        var e = Assertions.assertThrows(
                CheckpointException.class, () -> PackageExporter.build(Checkpoint.read(wrongShape)));
        assertTrue(
                e.getMessage().contains("e16.ckpt: the checkpoint's parameter embedding is (")
                        && e.getMessage().contains("needs (24, 16)"),
                e.getMessage());
        Path noMetric = edited(
                run.resolve("last.ckpt"),
                dir.resolve("m.ckpt"),
                j -> j.replaceAll("\"elapsedSeconds\": [0-9.eE-]+", "\"elapsedSecondsX\": 1"));
        var m = Assertions.assertThrows(CheckpointException.class, () -> Checkpoint.read(noMetric));
        assertTrue(m.getMessage().contains("metrics.elapsedSeconds is missing"), m.getMessage());
        Path noSeqLen = edited(run.resolve("last.ckpt"), dir.resolve("s.ckpt"), j -> j.replace("\"seqLen\": 16,", ""));
        var q = Assertions.assertThrows(CheckpointException.class, () -> Checkpoint.read(noSeqLen));
        assertTrue(q.getMessage().contains("data.seq_len is missing"), q.getMessage());
    }
}
