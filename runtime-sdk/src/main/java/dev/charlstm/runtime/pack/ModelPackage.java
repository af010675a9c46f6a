package dev.charlstm.runtime.pack;

import com.google.gson.JsonElement;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model package: the contract between the trainer and the runtime. A folder (or classpath resource folder)
 * holding {@code model.onnx}, the single-step graph, {@code vocab.json}, its versioned description, and optionally
 * {@code sequence.onnx}, the same model over a whole sequence (format 2; the manifest names it). The format is
 * specified in {@code docs/model-package.md}; this class reads, validates and writes it, and checks that the graphs
 * hold what the manifest says (float32 or int8 operators).
 *
 * <p>Immutable and thread-safe. It holds the graph as bytes and no native resources.
 */
public final class ModelPackage {

    /** The graph's file name. */
    public static final String MODEL_FILE = "model.onnx";
    /** The sequence graph's file name. */
    public static final String SEQUENCE_FILE = "sequence.onnx";
    /** The description's file name. */
    public static final String VOCAB_FILE = "vocab.json";
    /** The value of {@code format} in {@code vocab.json}. */
    public static final String FORMAT = "charlstm-model";
    /** The format version this code writes; it reads this one and version 1. */
    public static final int VERSION = ManifestJson.VERSION;

    /** The most {@code vocab.json} may hold: a manifest is kilobytes; anything near this is not one. */
    public static final long MAX_MANIFEST_BYTES = 16L << 20;
    /** The most {@code model.onnx} may hold: the graph is loaded as one Java array (and charlstm's are megabytes). */
    public static final long MAX_GRAPH_BYTES = Integer.MAX_VALUE - 8;

    private final ModelManifest manifest;
    private final byte[] model;
    private final byte[] sequence;
    private final String source;

    private ModelPackage(ModelManifest manifest, byte[] model, byte[] sequence, String source) {
        this.manifest = manifest;
        this.model = model;
        this.sequence = sequence;
        this.source = source;
    }

    /**
     * Assembles a package from a description and a graph, recording the graph's SHA-256.
     *
     * @param manifest the description (its digest is replaced)
     * @param modelOnnx the serialised ONNX model
     * @return the package
     */
    public static ModelPackage of(ModelManifest manifest, byte[] modelOnnx) {
        return of(manifest, modelOnnx, null);
    }

    /**
     * Assembles a package from a description and its graphs, recording their SHA-256 digests.
     *
     * @param manifest the description (its digests are replaced; its sequence graph names are kept, or the default
     *     ones used, when {@code sequenceOnnx} is given, and dropped when it is null)
     * @param modelOnnx the serialised step graph
     * @param sequenceOnnx the serialised sequence graph, or null
     * @return the package
     * @throws PackageException if a graph holds other operators than the manifest's quantization says
     */
    public static ModelPackage of(ModelManifest manifest, byte[] modelOnnx, byte[] sequenceOnnx) {
        byte[] step = modelOnnx.clone();
        byte[] seq = sequenceOnnx == null ? null : sequenceOnnx.clone();
        ModelManifest.Builder b = manifest.toBuilder().modelSha256(sha256(step));
        b.sequence(seq == null ? null : manifest.hasSequenceGraph() ? manifest.sequenceSignature()
                : GraphSignature.SEQUENCE, seq == null ? null : sha256(seq));
        String source = "(a package in memory)";
        ModelManifest m = b.build();
        checkPrecision(m, step, source + "/" + MODEL_FILE);
        if (seq != null) {
            checkPrecision(m, seq, source + "/" + SEQUENCE_FILE);
        }
        return new ModelPackage(m, step, seq, source);
    }

    /** @return where the package was read from (a folder, {@code classpath:...}), for messages */
    public String source() {
        return source;
    }

    /** @return where {@code model.onnx} was read from, for messages */
    public String modelSource() {
        return source + (source.endsWith("/") ? "" : "/") + MODEL_FILE;
    }

    /** @return the manifest: the whole description of the model */
    public ModelManifest manifest() {
        return manifest;
    }

    /** @return a copy of the serialised ONNX graph */
    public byte[] modelBytes() {
        return model.clone();
    }

    /** @return a copy of the serialised sequence graph, or null if the package has none */
    public byte[] sequenceBytes() {
        return sequence == null ? null : sequence.clone();
    }

    /** @return where {@code sequence.onnx} was read from, for messages */
    public String sequenceSource() {
        return source + (source.endsWith("/") ? "" : "/") + SEQUENCE_FILE;
    }

    /** @return the size of {@code model.onnx} in bytes */
    public int modelSize() {
        return model.length;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads and validates a package folder.
     *
     * @param dir the folder holding {@code model.onnx} and {@code vocab.json}
     * @return the package
     * @throws PackageException naming the file and the problem
     */
    public static ModelPackage read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PackageException(dir + (Files.isRegularFile(dir) ? ": a file; give the package's folder (the"
                    + " one holding " + VOCAB_FILE + " and " + MODEL_FILE + ")" : ": no such model package folder"));
        }
        if (!Files.exists(dir.resolve(VOCAB_FILE)) && Files.isRegularFile(dir.resolve("model").resolve(VOCAB_FILE))) {
            throw new PackageException(dir + ": a training run folder, not a model package; its package is "
                    + dir.resolve("model"));
        }
        if (!Files.exists(dir.resolve(VOCAB_FILE)) && (Files.isRegularFile(dir.resolve("best.ckpt"))
                || Files.isRegularFile(dir.resolve("last.ckpt")))) {
            throw new PackageException(dir + ": a training run folder without a model package; export one with"
                    + " charlstm export --checkpoint " + dir + " --out PACKAGE_DIR");
        }
        ManifestJson.Read read = parseManifest(readFile(dir.resolve(VOCAB_FILE)), dir.toString());
        byte[] model = readFile(dir.resolve(MODEL_FILE));
        byte[] sequence = read.manifest().namesSequence() ? readFile(dir.resolve(SEQUENCE_FILE)) : null;
        return assemble(read, model, sequence, dir.toString());
    }

    /**
     * Reads and validates a package packed as classpath resources ({@code folder/vocab.json} and
     * {@code folder/model.onnx}), e.g. inside an application's jar. The bytes are loaded through the class loader,
     * never through a file path.
     *
     * @param folder the resource folder, e.g. {@code models/moby-dick}, without a leading slash
     * @param loader the class loader to load through
     * @return the package
     * @throws PackageException if a resource is missing or the package is invalid
     */
    public static ModelPackage readResource(String folder, ClassLoader loader) {
        String base = folder.endsWith("/") ? folder : folder + "/";
        ManifestJson.Read read = parseManifest(readResourceBytes(loader, base + VOCAB_FILE), "classpath:" + base);
        byte[] model = readResourceBytes(loader, base + MODEL_FILE);
        byte[] sequence = read.manifest().namesSequence()
                ? readResourceBytes(loader, base + SEQUENCE_FILE) : null;
        return assemble(read, model, sequence, "classpath:" + base);
    }

    /**
     * Reads and validates a package from two streams. The streams are read to the end, not closed. A sequence graph
     * the manifest names is left out (the package then primes prompts one step at a time).
     *
     * @param vocabJson the contents of {@code vocab.json}
     * @param modelOnnx the contents of {@code model.onnx}
     * @param source what to call the package in error messages
     * @return the package
     * @throws PackageException if a stream fails or the package is invalid
     */
    public static ModelPackage read(InputStream vocabJson, InputStream modelOnnx, String source) {
        try {
            String base = source + (source.endsWith("/") ? "" : "/");
            ManifestJson.Read read = parseManifest(readBounded(vocabJson, base + VOCAB_FILE), source);
            read.manifest().sequence(null, null);
            return assemble(read, readBounded(modelOnnx, base + MODEL_FILE), null, source);
        } catch (IOException e) {
            throw new PackageException(source + ": cannot read the package: " + e.getMessage(), e);
        }
    }

    /**
     * Reads and validates a package held in memory, e.g. bytes a Spark driver broadcast to its executors (the
     * driver's {@link #vocabJson()}, {@link #modelBytes()} and {@link #sequenceBytes()}).
     *
     * @param vocabJson the contents of {@code vocab.json}
     * @param modelOnnx the contents of {@code model.onnx}
     * @param sequenceOnnx the contents of {@code sequence.onnx}, or null when the manifest names none
     * @param source what to call the package in error messages
     * @return the package
     * @throws PackageException if the package is invalid, or the manifest names a sequence graph and none is given
     */
    public static ModelPackage fromBytes(byte[] vocabJson, byte[] modelOnnx, byte[] sequenceOnnx, String source) {
        ManifestJson.Read read = parseManifest(vocabJson, source);
        if (read.manifest().namesSequence() && sequenceOnnx == null) {
            throw new PackageException(source + "/" + SEQUENCE_FILE + ": missing from the model package");
        }
        return assemble(read, modelOnnx.clone(), read.manifest().namesSequence() ? sequenceOnnx.clone() : null, source);
    }

    private static byte[] readFile(Path file) {
        try {
            checkSize(file.toString(), Files.size(file));
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PackageException(file + ": missing from the model package", e);
        } catch (IOException e) {
            throw new PackageException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Refuses a file larger than its kind allows, before reading it. */
    private static void checkSize(String name, long size) {
        boolean manifest = name.endsWith(VOCAB_FILE);
        long max = manifest ? MAX_MANIFEST_BYTES : MAX_GRAPH_BYTES;
        if (size > max) {
            throw new PackageException(name + ": " + size + " bytes, more than " + (manifest
                    ? "a manifest can be (" + max + " bytes): is this the package's vocab.json?"
                    : "charlstm loads (" + max + " bytes, one Java array)"));
        }
    }

    /** Reads a stream to the end, failing as soon as it passes its kind's size limit. */
    private static byte[] readBounded(InputStream in, String name) throws IOException {
        long max = name.endsWith(VOCAB_FILE) ? MAX_MANIFEST_BYTES : MAX_GRAPH_BYTES;
        byte[] bytes = in.readNBytes((int) max);
        if (bytes.length == max && in.read() >= 0) {
            checkSize(name, max + 1); // more follows: refuse without reading the rest
        }
        return bytes;
    }

    private static byte[] readResourceBytes(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new PackageException("classpath:" + name + ": no such resource");
            }
            return readBounded(in, "classpath:" + name);
        } catch (IOException e) {
            throw new PackageException("classpath:" + name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Validates everything the spec says a reader must reject (for tests: a package without a sequence graph). */
    static ModelPackage parse(byte[] vocabBytes, byte[] model, String source) {
        return assemble(parseManifest(vocabBytes, source), model, null, source);
    }

    /** Reads and checks {@code vocab.json}. */
    private static ManifestJson.Read parseManifest(byte[] vocabBytes, String source) {
        String vocabFile = source + (source.endsWith("/") ? "" : "/") + VOCAB_FILE;
        JsonElement tree;
        try {
            tree = JsonFields.parse(new String(vocabBytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new PackageException(vocabFile + ": not valid JSON: " + e.getMessage(), e);
        }
        if (tree.isJsonNull()) {
            throw new PackageException(vocabFile + ": empty");
        }
        if (!tree.isJsonObject()) {
            throw new PackageException(vocabFile + ": must be a JSON object ({...}), but it holds "
                    + (tree.isJsonArray() ? "an array" : "a single value"));
        }
        ManifestJson.Read read;
        try {
            JsonFields root = JsonFields.root(tree.getAsJsonObject());
            String format = root.string("format");
            if (!FORMAT.equals(format)) {
                throw new PackageException(vocabFile + ": format is " + (format == null ? "missing" : '"' + format
                        + '"') + ", expected \"" + FORMAT + "\"");
            }
            Integer version = root.int32("version");
            if (version == null || version < 1 || version > VERSION) {
                throw new PackageException(vocabFile + ": format version " + version + " is not supported (this"
                        + " charlstm reads versions 1 to " + VERSION + ")");
            }
            read = ManifestJson.read(version, root.json());
        } catch (IllegalArgumentException e) {
            throw new PackageException(vocabFile + ": " + e.getMessage(), e);
        }
        return read;
    }

    /** Checks the graphs against the manifest's digests and quantization, and makes the package. */
    private static ModelPackage assemble(ManifestJson.Read read, byte[] model, byte[] sequence, String source) {
        String vocabFile = source + (source.endsWith("/") ? "" : "/") + VOCAB_FILE;
        String actual = sha256(model);
        if (!actual.equalsIgnoreCase(read.graphSha256())) {
            throw new PackageException(source + "/" + MODEL_FILE + ": SHA-256 " + actual + " does not match the "
                    + read.graphSha256() + " recorded in " + VOCAB_FILE + " (a model.onnx from another package, or"
                    + " a damaged one)");
        }
        ModelManifest manifest;
        try {
            manifest = read.manifest().modelSha256(actual).build();
        } catch (IllegalArgumentException e) {
            throw new PackageException(vocabFile + ": " + e.getMessage(), e);
        }
        String base = source + (source.endsWith("/") ? "" : "/");
        checkPrecision(manifest, model, base + MODEL_FILE);
        if (sequence != null) {
            String seqSha = sha256(sequence);
            if (!seqSha.equalsIgnoreCase(manifest.sequenceSha256())) {
                throw new PackageException(base + SEQUENCE_FILE + ": SHA-256 " + seqSha + " does not match the "
                        + manifest.sequenceSha256() + " recorded in " + VOCAB_FILE + " (a sequence.onnx from another"
                        + " package, or a damaged one)");
            }
            checkPrecision(manifest, sequence, base + SEQUENCE_FILE);
        }
        return new ModelPackage(manifest, model, sequence, source);
    }

    /**
     * Checks that a graph holds the operators of the manifest's precision: float32 LSTM layers and no int8
     * operators for a float32 package; for an int8 package, its method's operators
     * ({@link Quantization#operators()}) and no float32 {@code LSTM}. A manifest that says the wrong thing would make
     * every number it records (size, speed, loss) a lie, and a static-int8 claim a broken promise of exactness.
     */
    private static void checkPrecision(ModelManifest m, byte[] graph, String file) {
        java.util.Set<String> ops;
        try {
            ops = OnnxOperators.of(graph);
        } catch (IllegalArgumentException e) {
            return; // not ONNX at all: ONNX Runtime says so when it loads it, naming the file
        }
        java.util.List<String> quantized = ops.stream().filter(o -> o.startsWith("com.microsoft.Dynamic")
                || o.contains("Integer") || o.contains("QuantizeLinear")).sorted().toList();
        Quantization q = m.quantization();
        if (q == null && !quantized.isEmpty()) {
            throw new PackageException(file + ": holds int8 operators (" + String.join(", ", quantized) + ") but "
                    + VOCAB_FILE + " says the package is float32 (quantization: null)");
        }
        if (q == null) {
            return;
        }
        java.util.List<String> missing = q.operators().stream().filter(o -> !ops.contains(o)).toList();
        java.util.List<String> foreign = quantized.stream().filter(o -> !q.operators().contains(o)).toList();
        if (ops.contains("LSTM") || !missing.isEmpty() || !foreign.isEmpty()) {
            throw new PackageException(file + ": holds " + (ops.contains("LSTM") ? "float32 LSTM layers"
                    : !foreign.isEmpty() ? String.join(", ", foreign) : "no " + String.join(", ", missing))
                    + " but " + VOCAB_FILE + " says it is " + q.method() + " (expected "
                    + String.join(" and ", q.operators()) + ")");
        }
    }

    // ---------------------------------------------------------------- writing

    /** @return the contents of {@code vocab.json} for this package: format version {@link #VERSION} */
    public String vocabJson() {
        return ManifestJson.write(manifest);
    }

    /**
     * Writes the package atomically: it is built in a temporary folder beside {@code dir}, then moved into place,
     * so a failed write leaves no package behind. An existing package at {@code dir} is replaced if the folder holds
     * nothing but the package's files; any other non-empty folder is refused (replacing it would delete the rest).
     *
     * @param dir the package folder to create or replace
     * @throws PackageException if writing fails or {@code dir} holds something other than a package
     */
    public void write(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Path tmp = null;
        Path old = null;
        try {
            Files.createDirectories(parent);
            checkTarget(dir);
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            readableByAll(tmp);
            Files.write(tmp.resolve(MODEL_FILE), model);
            if (sequence != null) {
                Files.write(tmp.resolve(SEQUENCE_FILE), sequence);
            }
            Files.writeString(tmp.resolve(VOCAB_FILE), vocabJson(), StandardCharsets.UTF_8);
            if (Files.exists(target)) {
                old = parent.resolve("." + target.getFileName() + ".old-" + System.nanoTime());
                move(target, old);
            }
            move(tmp, target);
            tmp = null;
        } catch (IOException e) {
            if (old != null && !Files.exists(target)) {
                try {
                    move(old, target); // put the previous package back
                    old = null;
                } catch (IOException ignored) {
                    // the previous package stays at its .old- name; the message below names the failure
                }
            }
            throw new PackageException(dir + ": cannot write the model package: " + describe(e), e);
        } finally {
            deleteRecursively(tmp);
            deleteRecursively(old);
        }
    }

    /**
     * Checks that {@link #write} may write a package to a folder: it is absent, empty, or a package folder holding
     * nothing else. Lets a caller fail before long work rather than after it.
     *
     * @param dir the package folder to create or replace
     * @throws PackageException if it is something else (its files would be lost)
     */
    public static void checkTarget(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        try {
            if (Files.isRegularFile(target)) {
                throw new PackageException(dir + ": a file, not a folder; refusing to replace it");
            }
            if (Files.exists(target) && !isEmptyDir(target) && !Files.isRegularFile(target.resolve(VOCAB_FILE))) {
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
            throw new PackageException(dir + ": cannot check the folder: " + describe(e), e);
        }
    }

    /** An I/O failure in words: what happened to which path, without Java's class names. */
    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + e.getMessage();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + ": " + f.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Temporary folders are private (rwx------); a package folder is as readable as any other. */
    private static void readableByAll(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** @return up to three names in {@code dir} other than the package's own files (none if it is not a folder) */
    private static List<String> otherFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(MODEL_FILE) && !n.equals(VOCAB_FILE)
                    && !n.equals(SEQUENCE_FILE))
                    .sorted().limit(3).toList();
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

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
            Files.move(from, to);
        }
    }

    private static void deleteRecursively(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temporary folder is harmless and clearly named
        }
    }

    /**
     * @param bytes data
     * @return its SHA-256 as lowercase hex
     */
    public static String sha256(byte[] bytes) {
        return Sha256.hex(bytes);
    }
}
