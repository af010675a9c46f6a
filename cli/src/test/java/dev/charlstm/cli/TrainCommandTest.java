package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.config.Hyperparameter;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import dev.charlstm.trainer.run.TrainingRun;
import dev.charlstm.trainer.training.TorchEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {

    @TempDir
    Path dir;

    private Path corpus() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            sb.append(i % 3 == 0 ? "The sea was calm.\n" : i % 3 == 1 ? "Call me Ishmael.\n" : "The whale dove.\n");
        }
        Files.writeString(data.resolve("book.txt"), sb);
        return data;
    }

    @Test
    void trainsATinyModelAndWritesTheRunFolder() throws IOException {
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run(Cli.tinyTraining(
                corpus().toString(),
                out.toString(),
                "20",
                "--eval-interval",
                "10",
                "--sample-length",
                "30",
                "--seed",
                "3"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("iteration 10/20"), r.out());
        assertTrue(r.out().contains("iteration 20/20"), r.out());
        assertTrue(r.out().contains("bits/char"), r.out());
        assertTrue(r.out().contains("sample: The "), r.out());
        assertTrue(r.out().contains("done: 20 iterations"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("last.ckpt")));
        assertTrue(Files.isRegularFile(out.resolve("best.ckpt")));
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertEquals(
                3,
                Checkpoint.read(out.resolve("last.ckpt"))
                        .metadata()
                        .config()
                        .data()
                        .seed());
    }

    @Test
    void resumeContinuesFromTheRunFolder() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(
                0,
                Cli.run(Cli.tinyTraining(
                                corpus().toString(),
                                out.toString(),
                                "10",
                                "--eval-interval",
                                "5",
                                "--sample-length",
                                "0"))
                        .code());
        Cli.Result r = Cli.run("train", "--resume", out.toString(), "--iterations", "15");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resuming at iteration 10"), r.out());
        assertTrue(r.out().contains("iteration 15/15"), r.out());
        assertEquals(15, Checkpoint.read(out.resolve("last.ckpt")).metadata().iteration());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size());

        Cli.Result bad = Cli.run("train", "--resume", out.toString(), "--hidden", "64");
        assertEquals(Main.EXIT_USAGE, bad.code(), "a usage error, as the README says");
        assertTrue(bad.err().contains("--resume continues a run under its own configuration"), bad.err());
        Cli.Result zero = Cli.run("train", "--resume", out.toString(), "--iterations", "0");
        assertEquals(Main.EXIT_USAGE, zero.code(), zero.err());
        assertTrue(zero.err().contains("iterations must be positive, got 0: change --iterations"), zero.err());
    }

    /** A train or resume into a folder another run holds is refused before anything starts, naming the holder. */
    @Test
    void aFolderInUseIsRefusedByTheCommandLine() throws IOException {
        Path out = dir.resolve("held");
        Corpus corpus = new CorpusReader(TextCleaning.DEFAULT).read(corpus());
        try (TrainingRun held = TrainingRun.start(
                TorchEngine.start(1), corpus, Preset.TINY.builder().build(), out, Device.cpu())) {
            Cli.Result second =
                    Cli.run("train", "--preset", "tiny", "--data", corpus().toString(), "--out", out.toString());
            assertEquals(Main.EXIT_FAILURE, second.code());
            assertTrue(
                    second.err()
                            .startsWith("charlstm: error: " + out + " is in use by another training run" + " (process "
                                    + ProcessHandle.current().pid()),
                    second.err());
            Cli.Result resume = Cli.run("train", "--resume", out.toString());
            assertTrue(resume.err().contains("cannot resume there while it runs"), resume.err());
        }
    }

    /**
     * A run started with a relative --data records its corpus's absolute path, so it resumes from any working
     * folder; a corpus that has moved is named, with the option that points at its new place.
     */
    @Test
    void aRunResumesFromAnyFolderAndAMovedCorpusIsNamed() throws IOException {
        Path data = Files.createDirectories(Path.of("target", "relative-corpus-" + System.nanoTime()));
        Files.writeString(data.resolve("a.txt"), "The sea was calm and the whale swam deep. ".repeat(40));
        Path out = dir.resolve("run");
        assertTrue(!data.isAbsolute());
        assertEquals(
                0,
                Cli.run(Cli.tinyTraining(
                                data.toString(), out.toString(), "5", "--eval-interval", "5", "--sample-length", "0"))
                        .code());
        String recorded =
                Checkpoint.read(out.resolve("last.ckpt")).metadata().corpus().source();
        assertEquals(data.toAbsolutePath().normalize().toString(), recorded);

        Path moved = dir.resolve("moved");
        Files.move(data, moved);
        Cli.Result gone = Cli.run("train", "--resume", out.toString(), "--iterations", "10");
        assertEquals(Main.EXIT_USAGE, gone.code(), gone.err());
        assertTrue(
                gone.err()
                        .contains("the corpus this run was trained on, " + recorded + " (recorded in "
                                + out.resolve("last.ckpt") + "), is not there: give its new place with --data PATH"),
                gone.err());
        Cli.Result found =
                Cli.run("train", "--resume", out.toString(), "--iterations", "10", "--data", moved.toString());
        assertEquals(0, found.code(), found.err());
        assertEquals(10, Checkpoint.read(out.resolve("last.ckpt")).metadata().iteration());
    }

    @Test
    void badInputGivesAClearErrorAndNoStackTrace() throws IOException {
        Cli.Result missing = Cli.run(
                "train",
                "--preset",
                "tiny",
                "--data",
                dir.resolve("nope").toString(),
                "--out",
                dir.resolve("run").toString());
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertTrue(
                missing.err().startsWith("charlstm: error: ") && missing.err().contains("no such file or folder"),
                missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());

        Cli.Result noData = Cli.run("train", "--preset", "tiny");
        assertEquals(Main.EXIT_USAGE, noData.code());
        assertTrue(noData.err().contains("--data is required"), noData.err());

        Cli.Result preset = Cli.run("train", "--preset", "huge", "--data", corpus().toString());
        assertEquals(Main.EXIT_USAGE, preset.code());
        assertTrue(preset.err().contains("unknown preset 'huge'; valid: seed, cpu, tiny"), preset.err());

        Cli.Result lr = Cli.run(
                "train",
                "--preset",
                "tiny",
                "--data",
                corpus().toString(),
                "--lr",
                "-1",
                "--out",
                dir.resolve("run2").toString());
        assertEquals(Main.EXIT_USAGE, lr.code());
        assertTrue(lr.err().contains("learning rate must be positive, got -1.0"), lr.err());

        Cli.Result resumeMissing =
                Cli.run("train", "--resume", dir.resolve("no-run").toString());
        assertEquals(Main.EXIT_FAILURE, resumeMissing.code());
        assertTrue(resumeMissing.err().contains("no such checkpoint file"), resumeMissing.err());
    }

    @Test
    void helpListsEveryOptionWithThePresetDefaults() {
        Cli.Result r = Cli.run("train", "--help");
        assertEquals(0, r.code());
        for (String option : new String[] {
            "--data",
            "--out",
            "--resume",
            "--preset",
            "--embedding",
            "--hidden",
            "--layers",
            "--dropout",
            "--batch",
            "--seq-len",
            "--iterations",
            "--eval-interval",
            "--lr",
            "--weight-decay",
            "--grad-clip",
            "--schedule",
            "--warmup",
            "--final-lr-fraction",
            "--val-fraction",
            "--seed",
            "--prompt",
            "--sample-length",
            "--drop-lines-containing",
            "--keep-newlines",
            "--device",
            "--threads"
        }) {
            assertTrue(r.out().contains(option), option + " in\n" + r.out());
        }
        assertTrue(r.out().contains("seed 256, cpu 256, tiny 32"), r.out());
        assertTrue(r.out().contains("seed 3000, cpu"), r.out());
        assertTrue(r.out().contains("Default: cpu"), r.out());
        // where the cpu preset's numbers come from
        assertTrue(r.out().replaceAll("\\s+", " ").contains("docs/training.md, \"The recipe, measured\""), r.out());
    }

    /** The options' defaults come from the chosen preset, through picocli's default provider. */
    private static TrainingConfig parsed(String... args) {
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult r = cli.parseArgs(args);
        TrainCommand train = r.subcommand().commandSpec().commandLine().getCommand();
        return train.config();
    }

    @Test
    void eachPresetIsTheDefaultOfEveryOptionAndAnOptionOverridesOnlyItself() {
        assertEquals(Preset.SEED.config(), parsed("train", "--preset", "seed"));
        assertEquals(Preset.CPU.config(), parsed("train"), "cpu when no --preset is given");
        assertEquals(Preset.TINY.config(), parsed("train", "--preset", "TINY"), "enum values in any case");
        assertEquals(
                Preset.TINY
                        .builder()
                        .set(TrainingConfig.LEARNING_RATE, 0.02f)
                        .set(TrainingConfig.SCHEDULE, TrainingConfig.ScheduleKind.COSINE)
                        .build(),
                parsed("train", "--lr", "0.02", "--schedule", "Cosine", "--preset", "tiny"),
                "options before --preset still override it");
        for (Hyperparameter<?> p : TrainingConfig.ALL) {
            assertTrue(Cli.run("train", "--help").out().contains(p.option() + "="), p.option());
        }
    }
}
