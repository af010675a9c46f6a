package dev.charlstm.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.JsonParser;
import dev.charlstm.trainer.TestCorpora;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.training.TorchEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run owns its folder from its first second: a second run, or a resume, while it runs is refused at once, naming
 * the process; a run killed with {@code kill -9} leaves nothing stuck.
 */
class RunLockTest {

    private static final Engine ENGINE = TorchEngine.start(0);

    @TempDir
    Path dir;

    private static TrainingConfig config(long seed) {
        return Preset.TINY
                .builder()
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .set(TrainingConfig.ITERATIONS, 20)
                .set(TrainingConfig.EVAL_INTERVAL, 10)
                .set(TrainingConfig.SEED, seed)
                .build();
    }

    @Test
    void aSecondRunOrAResumeWhileARunHoldsTheFolderIsRefusedAtOnce() {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = dir.resolve("run");
        try (TrainingRun first = TrainingRun.start(ENGINE, corpus, config(0), runDir, Device.cpu())) {
            // Before its first evaluation the folder holds nothing but the lock: the case that used to slip through
            CheckpointException second = assertThrows(
                    CheckpointException.class,
                    () -> TrainingRun.start(ENGINE, corpus, config(5), runDir, Device.cpu()));
            assertTrue(
                    second.getMessage()
                            .startsWith(runDir + " is in use by another training run (process "
                                    + ProcessHandle.current().pid() + ", started "),
                    second.getMessage());
            assertTrue(
                    second.getMessage()
                            .endsWith("cannot start a run there while it runs; wait for it to end, or"
                                    + " choose another --out"),
                    second.getMessage());
            first.train();
            CheckpointException resume = assertThrows(
                    CheckpointException.class, () -> TrainingRun.resume(ENGINE, runDir, corpus, 40, Device.cpu()));
            assertTrue(resume.getMessage().contains("cannot resume there while it runs"), resume.getMessage());
        }
        // Released: the run can be resumed
        try (TrainingRun again = TrainingRun.resume(ENGINE, runDir, corpus, 30, Device.cpu())) {
            assertEquals(30, again.train().iterations());
        }
        List<String> iterations = metricsIterations(runDir);
        assertEquals(List.of("10", "20", "30"), iterations, "one run's metrics, in order");
    }

    @Test
    void anotherProcessHoldingTheFolderIsNamedAndAKillNineLeavesNothingStuck() throws Exception {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = Files.createDirectories(dir.resolve("run"));
        Process holder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        RunLockHolder.class.getName(),
                        runDir.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            CheckpointException refused = assertThrows(
                    CheckpointException.class,
                    () -> TrainingRun.start(ENGINE, corpus, config(0), runDir, Device.cpu()));
            assertTrue(refused.getMessage().contains("(process " + holder.pid() + ", started "), refused.getMessage());
        } finally {
            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(runDir.resolve(RunDirectory.LOCK)), "the file stays");
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config(0), runDir, Device.cpu())) {
            assertEquals(20, run.train().iterations());
        }
    }

    @Test
    void aFailedStartLeavesNoFolderBehind() {
        Corpus tooShort = TestCorpora.write(dir, "short", "abc");
        Path runDir = dir.resolve("new-run");
        assertThrows(
                RuntimeException.class, () -> TrainingRun.start(ENGINE, tooShort, config(0), runDir, Device.cpu()));
        assertFalse(Files.exists(runDir));
    }

    private static List<String> metricsIterations(Path runDir) {
        try {
            return Files.readAllLines(runDir.resolve(RunDirectory.METRICS)).stream()
                    .map(l -> JsonParser.parseString(l)
                            .getAsJsonObject()
                            .get("iteration")
                            .getAsString())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
