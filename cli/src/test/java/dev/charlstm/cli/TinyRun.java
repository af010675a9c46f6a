package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlstm.runtime.internal.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI tests' one trained model: {@code charlstm train --preset tiny} on {@link #CORPUS}, run once per JVM (the
 * first test that asks) and shared by every test that needs a model rather than a training. Tests must not change
 * its folders (copy first). Tests of training itself ({@code TrainCommandTest}, {@code KillAndResumeTest}) and of a
 * corpus's cleaning keep runs of their own. Thread-safe.
 */
final class TinyRun {

    /**
     * 300 short lines of four sentences, some joined on one line: lowercase and capital T only, so tests can rely on
     * characters it lacks (Z, Q, é).
     */
    static final String CORPUS = corpus();

    private static Path root;

    private TinyRun() {}

    private static String corpus() {
        StringBuilder text = new StringBuilder();
        String[] lines = {
            "The sea was calm and the whale swam deep.", "call me ishmael.", "the sea was calm.", "a ship sailed on."
        };
        for (int i = 0; i < 300; i++) {
            text.append(lines[(i * 7 + i / 3) % lines.length]).append(i % 5 == 0 ? "\n" : " ");
        }
        return text.toString();
    }

    /** @return the run folder (checkpoints, metrics, {@code model/}) */
    static synchronized Path run() {
        if (root == null) {
            try {
                Path dir = Files.createTempDirectory("charlstm-tiny-run-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> AtomicFiles.deleteRecursively(dir)));
                Files.writeString(Files.createDirectories(dir.resolve("data")).resolve("a.txt"), CORPUS);
                Cli.Result r = Cli.run(Cli.tinyTraining(
                        dir.resolve("data").toString(),
                        dir.resolve("run").toString(),
                        "60",
                        "--eval-interval",
                        "30",
                        "--sample-length",
                        "0"));
                assertEquals(0, r.code(), r.err());
                root = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root.resolve("run");
    }

    /** @return the run's model package */
    static Path model() {
        return run().resolve("model");
    }

    /** @return the folder holding the corpus it was trained on */
    static Path data() {
        run();
        return root.resolve("data");
    }
}
