package dev.charlstm.trainer.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusException;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingDivergedException;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run in its run folder ({@link RunDirectory}): a {@link Trainer} with the listeners that make a run
 * resumable and shippable, in this order: {@code metrics.jsonl} lines, then {@code last.ckpt} / {@code best.ckpt}
 * at every evaluation; the caller's listeners; when training ends, {@code best.ckpt} exported as the package
 * {@code model/} and the losses drawn in {@code loss.png}.
 *
 * <p>Holds native memory: close it. Not thread-safe.
 */
public final class TrainingRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final RunDirectory dir;
    private final Trainer trainer;
    private final RunLock lock;

    private TrainingRun(RunDirectory dir, Trainer trainer, RunLock lock) {
        this.dir = dir;
        this.trainer = trainer;
        this.lock = lock;
    }

    /**
     * Starts a new run.
     *
     * @param engine the PyTorch engine, already started ({@link TorchEngine#start})
     * @param corpus the training text
     * @param config the configuration
     * @param runDir the run folder; created if missing; must not already hold a run; owned by this run (locked) until
     *     it is closed
     * @param device where to train
     * @return the run, ready to {@link #train}
     * @throws CheckpointException if the folder already holds a run, another process is training there, or it
     *     cannot be written
     * @throws CorpusException if the corpus is too short for the configuration
     */
    public static TrainingRun start(Engine engine, Corpus corpus, TrainingConfig config, Path runDir, Device device) {
        RunDirectory dir = RunDirectory.of(runDir);
        boolean existed = Files.exists(runDir);
        RunLock lock = null;
        try {
            try {
                Files.createDirectories(runDir);
            } catch (IOException e) {
                throw new CheckpointException(
                        runDir + ": cannot create the run folder (" + AtomicFiles.describe(e)
                                + "); choose another --out",
                        e);
            }
            // Owned before anything is checked or written: a second run started a second later is refused here
            lock = RunLock.acquire(runDir, "start a run");
            dir.prepareNew();
            return new TrainingRun(dir, Trainer.create(engine, device, corpus, config), lock);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.close();
                if (!existed) {
                    try {
                        Files.deleteIfExists(runDir.resolve(RunDirectory.LOCK));
                        Files.deleteIfExists(runDir); // only if still empty: a failed start leaves no folder behind
                    } catch (IOException ignored) {
                        // not empty, or not ours to remove
                    }
                }
            }
            throw e;
        }
    }

    /**
     * Continues a run from its {@code last.ckpt}, after bringing the folder back in line with it.
     *
     * @param engine the PyTorch engine, already started
     * @param runDir the run folder
     * @param corpus the training text, cleaned with the checkpoint's cleaning options; its vocabulary must equal
     *     the checkpoint's
     * @param iterations a new target iteration count, or null to keep the checkpoint's
     * @param device where to train
     * @return the run, ready to {@link #train}
     * @throws CheckpointException if the checkpoint is missing or unreadable, or another process is training there
     * @throws CorpusException if the corpus does not match the checkpoint's vocabulary
     */
    public static TrainingRun resume(Engine engine, Path runDir, Corpus corpus, Integer iterations, Device device) {
        RunDirectory dir = RunDirectory.of(runDir);
        if (!Files.isDirectory(runDir)) {
            Checkpoint.read(dir.last()); // the reader's own message for a missing run
        }
        // Owned before the checkpoint is read: a run still writing it is named, not raced
        RunLock lock = RunLock.acquire(runDir, "resume");
        Checkpoint last;
        Trainer trainer;
        try {
            last = Checkpoint.read(dir.last());
            trainer = Trainer.resume(engine, device, corpus, last, iterations);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        try {
            dir.repair(last);
        } catch (RuntimeException e) {
            trainer.close();
            lock.close();
            throw e;
        }
        int at = last.metadata().iteration();
        if (trainer.config().schedule().iterations() <= at) {
            LOG.warn(
                    "{} is already at iteration {} (target {}): nothing to train, the package is exported again;"
                            + " pass --iterations above {} to go further",
                    runDir,
                    at,
                    trainer.config().schedule().iterations(),
                    at);
        }
        return new TrainingRun(dir, trainer, lock);
    }

    /**
     * Answers at once whether another process is training in a folder, before the caller spends seconds starting
     * the engine: the run's own lock, taken by {@link #start} or {@link #resume}, is what guarantees it.
     *
     * @param runDir the run folder (it need not exist)
     * @param resuming whether the caller is about to resume (for the message)
     * @throws CheckpointException naming the process training there
     */
    public static void checkNotInUse(Path runDir, boolean resuming) {
        RunLock.checkFree(runDir, resuming ? "resume" : "start a run");
    }

    /** @return the loop */
    public Trainer trainer() {
        return trainer;
    }

    /** @return the run folder's files */
    public RunDirectory directory() {
        return dir;
    }

    /**
     * Trains up to the configured iteration count.
     *
     * @param listeners the caller's listeners (progress, samples), called after the run's own
     * @return how the run ended
     * @throws TrainingDivergedException if the loss diverges; the message names what the folder holds (the last
     *     checkpoint stays intact)
     */
    public TrainingResult train(TrainingListener... listeners) {
        List<TrainingListener> all = new ArrayList<>();
        all.add(new MetricsListener(dir.metrics()));
        all.add(new CheckpointListener(dir));
        all.addAll(Arrays.asList(listeners));
        all.add(new ExportOnEndListener(dir));
        all.add(LossPlotListener.listener(dir));
        try {
            return trainer.train(all);
        } catch (TrainingDivergedException e) {
            throw e.withState(folderState());
        }
    }

    /** What the folder holds after a divergence: only what exists, and never called good. */
    private String folderState() {
        Path last = dir.last();
        if (Files.exists(last)) {
            CheckpointMetadata m = Checkpoint.read(last).metadata();
            return last + " is from iteration " + m.iteration()
                    + String.format(" (validation loss %.4f nats)", m.metrics().valLoss());
        }
        return "no checkpoint was written (the first evaluation comes at iteration "
                + trainer.config().evaluation().interval() + ")";
    }

    /** Frees the trainer's native memory and releases the run folder. */
    @Override
    public void close() {
        try {
            trainer.close();
        } finally {
            lock.close();
        }
    }
}
