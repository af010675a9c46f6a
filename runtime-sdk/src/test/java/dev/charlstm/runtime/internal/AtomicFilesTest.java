package dev.charlstm.runtime.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void aFileIsReplacedWholeOrNotAtAllAndNoTemporaryRemains() throws IOException {
        Path file = dir.resolve("a.txt");
        AtomicFiles.replaceFile(file, "first".getBytes(UTF_8));
        AtomicFiles.replaceFile(file, "second".getBytes(UTF_8));
        assertEquals("second", Files.readString(file));
        assertThrows(
                IOException.class,
                () -> AtomicFiles.replaceFile(file, out -> {
                    out.write("half of the th".getBytes(UTF_8));
                    throw new IOException("disk full");
                }));
        assertEquals("second", Files.readString(file), "a failed write leaves the previous content");
        assertEquals(List.of("a.txt"), names(dir));
    }

    @Test
    void aFolderIsReplacedWholeOrNotAtAllAndTheOldOneIsPutBack() throws IOException {
        Path pkg = dir.resolve("pkg");
        AtomicFiles.replaceFolder(pkg, tmp -> Files.writeString(tmp.resolve("x"), "1"));
        AtomicFiles.replaceFolder(pkg, tmp -> Files.writeString(tmp.resolve("y"), "2"));
        assertEquals(List.of("y"), names(pkg), "the new folder replaces the old one whole");
        assertThrows(
                IllegalStateException.class,
                () -> AtomicFiles.replaceFolder(pkg, tmp -> {
                    Files.writeString(tmp.resolve("z"), "3");
                    throw new IllegalStateException("export failed");
                }));
        assertEquals(List.of("y"), names(pkg));
        assertEquals(List.of("pkg"), names(dir), "no .pkg.tmp-* or .pkg.old-* left behind");
    }

    @Test
    void aNewFileIsReadableByAllAndAReplacedOneKeepsItsPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("metrics.jsonl");
        AtomicFiles.replaceFile(file, "{}".getBytes(UTF_8));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.replaceFile(file, "{}\n".getBytes(UTF_8));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
