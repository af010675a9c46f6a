package dev.charlstm.runtime.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way charlstm writes a file or a folder: completely or not at all. A reader (or a run killed at any moment)
 * sees the previous version or the new one, never a part.
 *
 * <p>Temporary names, which {@code RunDirectory} relies on to clean up after a kill: a file {@code NAME} is written as
 * {@code NAME.<random>.tmp} beside it; a folder {@code NAME} is built as {@code .NAME.tmp-<random>} beside it and
 * the previous one is moved aside to {@code .NAME.old-<nanos>} while the new one takes its place. Stateless and
 * thread-safe; two writers of one target race as renames do (the last one wins, whole).
 */
public final class AtomicFiles {

    /** Writes a file's content; may be called once per write. */
    @FunctionalInterface
    public interface Content {
        /**
         * @param out the temporary file's stream (not to be closed by the content)
         * @throws IOException if writing fails; the target is then untouched
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills the new folder. */
    @FunctionalInterface
    public interface FolderContent {
        /**
         * @param dir the empty temporary folder that will become the target
         * @throws IOException if writing fails; the target is then untouched
         */
        void writeInto(Path dir) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    private AtomicFiles() {}

    /**
     * Replaces {@code file} with {@code bytes}.
     *
     * @param file the target; its folder is created if missing
     * @param bytes the new content
     * @throws IOException if writing fails; the previous file is then untouched and no temporary file remains
     */
    public static void replaceFile(Path file, byte[] bytes) throws IOException {
        replaceFile(file, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes: to a temporary file in the same folder, forced to
     * disk, then renamed over {@code file} (atomically where the file system can). The file keeps the permissions of
     * the one it replaces, or is readable by all (rw-r--r--) when new, as a file made with {@code >} would be.
     *
     * @param file the target; its folder is created if missing
     * @param content writes the new content
     * @throws IOException if writing fails; the previous file is then untouched and no temporary file remains
     */
    public static void replaceFile(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, () -> Files.createTempFile(dir, file.getFileName() + ".", ".tmp"));
        try {
            if (posix(tmp)) {
                // temporary files are private (rw-------); the file it becomes is as readable as the one it replaces
                Files.setPosixFilePermissions(
                        tmp,
                        Files.exists(file)
                                ? Files.getPosixFilePermissions(file)
                                : PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel ch =
                            FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = Channels.newOutputStream(ch)) {
                content.writeTo(out);
                out.flush();
                ch.force(true); // on disk before the rename makes it the file: a crash then leaves old or new
            }
            move(tmp, file, true);
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Replaces the folder {@code dir} with one {@code content} fills: built in a temporary folder beside it, then
     * moved into place; the previous folder is moved aside first and put back if the move fails. The new folder is
     * readable by all (rwxr-xr-x where POSIX permissions exist), as a folder made with {@code mkdir} would be. Callers
     * check first that {@code dir} holds nothing they may not delete.
     *
     * @param dir the target folder; its parent is created if missing
     * @param content fills the new folder
     * @throws IOException if writing fails; the previous folder is then in place (or, if even putting it back
     *     failed, at its {@code .NAME.old-*} name) and no temporary folder remains
     */
    public static void replaceFolder(Path dir, FolderContent content) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = createTemp(parent, () -> Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-"));
        Path old = null;
        try {
            if (posix(tmp)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            content.writeInto(tmp);
            forceFiles(tmp); // on disk before the move makes them the folder, as replaceFile does for one file
            if (Files.exists(target)) {
                old = parent.resolve("." + target.getFileName() + ".old-" + System.nanoTime());
                move(target, old, false);
            }
            move(tmp, target, false);
            tmp = null;
        } catch (IOException | RuntimeException e) {
            if (old != null && !Files.exists(target)) {
                try {
                    move(old, target, false); // put the previous folder back
                    old = null;
                } catch (IOException ignored) {
                    // it stays at its .old- name; the caller reports the first failure
                }
            }
            throw e;
        } finally {
            deleteRecursively(tmp);
            if (old != null && !deleteRecursively(old)) {
                // the new folder is in place; the old copy is clutter, but a silent one would never be found
                LOG.warn("{}: written, but its previous version could not be removed: delete {} by hand", dir, old);
            }
        }
    }

    private interface TempMaker {
        Path make() throws IOException;
    }

    /** Makes a temporary file or folder, naming the folder (not a random name) when it cannot be written to. */
    private static Path createTemp(Path dir, TempMaker maker) throws IOException {
        try {
            return maker.make();
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(dir.toString(), null, "cannot create files in this folder");
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void forceFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        }
    }

    /**
     * Deletes a file or a folder and everything in it, as far as it can.
     *
     * @param p the path, or null (nothing to do)
     * @return whether nothing is left at {@code p}
     */
    public static boolean deleteRecursively(Path p) {
        if (p == null || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: what is left is reported below
        }
        return !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * An I/O failure in words for a one-line message: what happened to which path, without Java's class names.
     *
     * @param e the failure
     * @return e.g. {@code permission denied: /models/x}
     */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? ": " + f.getFile() : "");
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void move(Path from, Path to, boolean replace) throws IOException {
        try {
            if (replace) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
            if (replace) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to);
            }
        }
    }
}
