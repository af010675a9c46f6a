package dev.charlstm.trainer.run;

import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run folder's consistency: a new run starts only in a folder with nothing of another run in it, in a folder
 * it can write; a resumed run first brings the folder back in line with {@code last.ckpt}, whatever moment a kill
 * interrupted: {@code metrics.jsonl} loses lines past the checkpoint (they are written again, identically) and a
 * torn last line, {@code best.ckpt} is restored from {@code last.ckpt} when a kill came between the two writes,
 * and temporary files of interrupted writes are removed.
 *
 * <p>Why it works: an evaluation appends its metrics line first, then replaces {@code last.ckpt}, then
 * {@code best.ckpt}; each replacement is atomic. So {@code last.ckpt} is the truth, every line up to its iteration
 * is there, and {@code best.ckpt} can only lag behind it.
 *
 * <p>The one place that names a run folder's files. Immutable and thread-safe; a run owns its folder through
 * {@link RunLock} on {@link #LOCK}.
 */
public final class RunDirectory {

    /** The checkpoint written at every evaluation. */
    public static final String LAST = "last.ckpt";
    /** The checkpoint with the lowest validation loss. */
    public static final String BEST = "best.ckpt";
    /** The metrics file, one JSON object per evaluation. */
    public static final String METRICS = "metrics.jsonl";
    /** The model package exported from {@link #BEST} when training ends. */
    public static final String PACKAGE = "model";
    /** The loss plot drawn from {@link #METRICS} when training ends. */
    public static final String LOSS_PLOT = "loss.png";
    /** The lock file of the process training in the folder (it holds that process's id); never part of a run. */
    public static final String LOCK = ".lock";

    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** @param dir a run folder (it need not exist yet) @return its files */
    public static RunDirectory of(Path dir) {
        return new RunDirectory(dir);
    }

    /** @return the folder */
    public Path dir() {
        return dir;
    }

    /** @return {@code last.ckpt}: the state to resume from */
    public Path last() {
        return dir.resolve(LAST);
    }

    /** @return {@code best.ckpt}: the model to export */
    public Path best() {
        return dir.resolve(BEST);
    }

    /** @return {@code metrics.jsonl} */
    public Path metrics() {
        return dir.resolve(METRICS);
    }

    /** @return {@code model/}, the package exported from {@code best.ckpt} */
    public Path modelPackage() {
        return dir.resolve(PACKAGE);
    }

    /** @return {@code loss.png} */
    public Path lossPlot() {
        return dir.resolve(LOSS_PLOT);
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    /** The files a run writes, all of which a new run refuses to find. */
    private static List<String> runFiles() {
        return List.of(LAST, BEST, METRICS, PACKAGE, LOSS_PLOT);
    }

    /**
     * Creates the folder if needed and checks that it holds no other run and can be written.
     *
     * @throws CheckpointException naming what is there, or why the folder cannot be written, and what to do
     */
    void prepareNew() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(
                    dir + ": cannot create the run folder (" + AtomicFiles.describe(e) + "); choose another --out", e);
        }
        List<String> found = new ArrayList<>();
        for (String f : runFiles()) {
            if (Files.exists(dir.resolve(f))) {
                found.add(f);
            }
        }
        if (found.contains(LAST)) {
            throw new CheckpointException(dir + " already holds a training run (" + LAST
                    + "); continue it with --resume " + dir + " or choose another --out");
        }
        if (!found.isEmpty()) {
            throw new CheckpointException(dir + " holds files of an earlier run (" + String.join(", ", found)
                    + ") but no " + LAST + " to resume from; choose another --out, or remove them");
        }
        try {
            Files.createDirectories(dir);
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> other = entries.map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals(LOCK))
                        .sorted()
                        .limit(3)
                        .toList();
                if (!other.isEmpty()) {
                    throw new CheckpointException(
                            dir + " is not empty (" + String.join(", ", other) + (other.size() == 3 ? ", ..." : "")
                                    + "): a new run needs an empty or new folder; choose another --out");
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(
                    dir + ": cannot create the run folder (" + AtomicFiles.describe(e) + "); choose another --out", e);
        }
        checkWritable();
    }

    /** Fails now, not one evaluation interval later, if checkpoints cannot be written into the folder. */
    void checkWritable() {
        try {
            Files.delete(Files.createTempFile(dir, ".write-check.", ".tmp"));
        } catch (IOException e) {
            throw new CheckpointException(
                    dir + ": cannot write into the run folder (" + AtomicFiles.describe(e)
                            + "); choose another --out or fix its permissions",
                    e);
        }
    }

    /** Brings the folder back in line with {@code last} (see the class comment). */
    void repair(Checkpoint last) {
        checkWritable();
        removeTemporaries();
        CheckpointMetadata meta = last.metadata();
        trimMetrics(metrics(), meta.iteration());
        if (meta.metrics().bestIteration() == meta.iteration()) {
            Path best = best();
            int bestIteration = -1;
            try {
                bestIteration = Checkpoint.read(best).metadata().iteration();
            } catch (CheckpointException e) {
                // missing or torn: rewritten below
            }
            if (bestIteration != meta.iteration()) {
                LOG.info(
                        "{} is from iteration {}, but {} says iteration {} was the best: restoring it",
                        BEST,
                        bestIteration,
                        LAST,
                        meta.iteration());
                last.write(best);
            }
        }
    }

    /** Drops a torn last line and every line past {@code iteration}; atomic. */
    static void trimMetrics(Path file, int iteration) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                int at = line.indexOf("\"iteration\":");
                if (!line.endsWith("}") || at < 0) {
                    continue; // a line a kill cut short (or the empty tail after the last newline)
                }
                String digits = line.substring(at + 12).replaceAll("^\\s*(\\d+).*$", "$1");
                if (digits.chars().allMatch(Character::isDigit) && Integer.parseInt(digits) <= iteration) {
                    kept.append(line).append('\n');
                }
            }
            if (!kept.toString().equals(text)) {
                AtomicFiles.replaceFile(file, kept.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new CheckpointException(
                    file + ": cannot bring it in line with " + LAST + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** Removes what interrupted writes leave: {@code NAME.*.tmp} files and {@code .model.tmp-* / .model.old-*}. */
    void removeTemporaries() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                boolean ours = n.endsWith(".tmp") && runFiles().stream().anyMatch(f -> n.startsWith(f + "."))
                        || n.startsWith(".write-check.")
                        || n.startsWith("." + PACKAGE + ".tmp-")
                        || n.startsWith("." + PACKAGE + ".old-");
                if (ours) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not remove temporary files in {}: {}", dir, e.getMessage());
        }
    }
}
