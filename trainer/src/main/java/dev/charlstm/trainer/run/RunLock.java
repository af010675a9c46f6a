package dev.charlstm.trainer.run;

import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A run folder owned by one training process from its first second: an exclusive lock on the folder's
 * {@link RunDirectory#LOCK} file, held until the run is closed. The operating system releases it when the process
 * ends in any way, {@code kill -9} included, so it can never stay stuck; the file itself stays, holding the last
 * owner's process id and start time, which a refused run names.
 *
 * <p>Not thread-safe; closed by the run that took it.
 */
final class RunLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the folder, which must exist.
     *
     * @param dir the run folder
     * @param what what the caller is about to do, for the message ("start a run", "resume")
     * @return the lock, to close when the run ends
     * @throws CheckpointException if another run (in this process or another) holds the folder, naming it, or the
     *     lock file cannot be written
     */
    static RunLock acquire(Path dir, String what) {
        Path file = dir.resolve(RunDirectory.LOCK);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // this JVM holds it already
            }
            if (l == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                ch.close();
                throw new CheckpointException(dir + " is in use by another training run ("
                        + (holder.isEmpty() ? "its process is starting" : holder) + "): cannot " + what
                        + " there while it runs; wait"
                        + " for it to end, or choose another --out");
            }
            ch.truncate(0);
            ch.write(
                    ByteBuffer.wrap(("process " + ProcessHandle.current().pid() + ", started " + Instant.now())
                            .getBytes(StandardCharsets.UTF_8)),
                    0);
            ch.force(false);
            return new RunLock(ch, l);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new CheckpointException(
                    dir + ": cannot write into the run folder (" + AtomicFiles.describe(e)
                            + "); choose another --out or fix its permissions",
                    e);
        }
    }

    /**
     * Fails at once if another run holds the folder, without taking it or creating anything: for a command to
     * refuse before it starts an engine. (The run still takes the lock itself; this only answers sooner.)
     *
     * @param dir the run folder (it need not exist)
     * @param what what the caller is about to do, for the message
     * @throws CheckpointException naming the process that holds it
     */
    static void checkFree(Path dir, String what) {
        if (Files.exists(dir.resolve(RunDirectory.LOCK))) {
            acquire(dir, what).close(); // the file exists already: taking and releasing it creates nothing
        }
    }

    /** Releases the folder. */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the process's end releases it anyway
        }
    }
}
