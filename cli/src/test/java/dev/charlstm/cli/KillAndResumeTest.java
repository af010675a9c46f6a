package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real training process, killed with SIGKILL at random moments and resumed each time: afterwards last.ckpt,
 * best.ckpt, metrics.jsonl and model/ agree, and no temporary file is left.
 */
class KillAndResumeTest {

    @TempDir
    Path dir;

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dai.djl.offline=true",
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log.txt").toFile())
                .start();
    }

    @Test
    void killsAtRandomMomentsLeaveARunFolderThatAgreesWithItself() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "The sea was calm and the whale swam deep. ".repeat(80));
        Path run = dir.resolve("run");
        int target = 60;
        String[] fresh = Cli.tinyTraining(
                data.toString(),
                run.toString(),
                String.valueOf(target),
                "--eval-interval",
                "2",
                "--sample-length",
                "0",
                "--threads",
                "1");
        String[] resume = {"train", "--resume", run.toString(), "--threads", "1"};
        Random r = new Random(7);
        int kills = 0;
        for (int attempt = 0; attempt < 12 && kills < 6; attempt++) {
            boolean started = Files.exists(run.resolve("last.ckpt"));
            Process p = start(started ? resume : fresh);
            // wait for the run to get going (a checkpoint newer than before), then kill it a random moment later
            long before = started
                    ? Files.getLastModifiedTime(run.resolve("last.ckpt")).toMillis()
                    : 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive()
                    && System.nanoTime() < deadline
                    && !(Files.exists(run.resolve("last.ckpt"))
                            && Files.getLastModifiedTime(run.resolve("last.ckpt"))
                                            .toMillis()
                                    > before)) {
                Thread.sleep(5);
            }
            Thread.sleep(r.nextInt(150));
            if (p.isAlive()) {
                p.destroyForcibly();
                kills++;
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(kills >= 3, "killed " + kills + " times: " + Files.readString(dir.resolve("log.txt")));
        Process last = start(Files.exists(run.resolve("last.ckpt")) ? resume : fresh);
        assertTrue(last.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, last.exitValue(), Files.readString(dir.resolve("log.txt")));

        CheckpointMetadata meta = Checkpoint.read(run.resolve("last.ckpt")).metadata();
        assertEquals(target, meta.iteration());
        assertEquals(
                meta.metrics().bestIteration(),
                Checkpoint.read(run.resolve("best.ckpt")).metadata().iteration());
        assertEquals(
                meta.metrics().bestIteration(),
                ModelPackage.read(run.resolve("model")).manifest().provenance().iterations());
        List<Integer> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            lines.add(JsonParser.parseString(line)
                    .getAsJsonObject()
                    .get("iteration")
                    .getAsInt());
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 2; i <= target; i += 2) {
            expected.add(i);
        }
        assertEquals(expected, lines, "one metrics line per evaluation after " + kills + " kills");
        try (Stream<Path> files = Files.list(run)) {
            assertEquals(
                    List.of(),
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(".tmp") || n.startsWith(".") && !n.equals(RunDirectory.LOCK))
                            .toList(),
                    "no temporaries left (the run's lock file stays, unlocked: every kill above released it)");
        }
    }
}
