package dev.charlstm.runtime.pack;

import static dev.charlstm.runtime.pack.ModelPackage.MANIFEST_FILE;
import static dev.charlstm.runtime.pack.ModelPackage.MODEL_FILE;
import static dev.charlstm.runtime.pack.ModelPackage.SEQUENCE_FILE;

import dev.charlstm.runtime.internal.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Writes a package folder whole or not at all, and refuses to replace a folder that holds anything else. */
final class PackageWriter {

    private PackageWriter() {}

    static void write(ModelPackage pkg, Path dir) {
        try {
            checkTarget(dir);
            AtomicFiles.replaceFolder(dir, tmp -> {
                Files.write(tmp.resolve(MODEL_FILE), pkg.modelBytesShared());
                if (pkg.sequenceBytesShared() != null) {
                    Files.write(tmp.resolve(SEQUENCE_FILE), pkg.sequenceBytesShared());
                }
                Files.writeString(tmp.resolve(MANIFEST_FILE), pkg.manifestJson(), StandardCharsets.UTF_8);
            });
        } catch (IOException e) {
            throw new PackageException(dir + ": cannot write the model package: " + AtomicFiles.describe(e), e);
        }
    }

    static void checkTarget(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        try {
            if (Files.isRegularFile(target)) {
                throw new PackageException(dir + ": a file, not a folder; refusing to replace it");
            }
            if (Files.exists(target) && !isEmptyDir(target) && !Files.isRegularFile(target.resolve(MANIFEST_FILE))) {
                throw new PackageException(dir + ": exists and is not a model package; refusing to replace it");
            }
            List<String> others = otherFiles(target);
            if (!others.isEmpty()) {
                // Replacing the folder would delete them: a package folder holds the package and nothing else.
                throw new PackageException(dir + ": holds files that are not part of a model package ("
                        + String.join(", ", others) + "); refusing to replace it: write to another folder, or"
                        + " move them out");
            }
        } catch (IOException e) {
            throw new PackageException(dir + ": cannot check the folder: " + AtomicFiles.describe(e), e);
        }
    }

    /** @return up to three names in {@code dir} other than the package's own files (none if it is not a folder) */
    private static List<String> otherFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(MODEL_FILE) && !n.equals(MANIFEST_FILE) && !n.equals(SEQUENCE_FILE))
                    .sorted()
                    .limit(3)
                    .toList();
        }
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }
}
