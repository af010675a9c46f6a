package dev.charlstm.runtime.pack;

import dev.charlstm.runtime.internal.Sha256;
import java.nio.file.Path;

/**
 * A model package: the contract between the trainer and the runtime. A folder (or classpath resource folder)
 * holding {@code model.onnx}, the single-step graph, {@code vocab.json}, its versioned description, and optionally
 * {@code sequence.onnx}, the same model over a whole sequence (format 2; the manifest names it). The format is
 * specified in {@code docs/model-package.md}. This class is the value; every {@code read} checks what the spec says a
 * reader must reject (digests, versions, sizes, and that the graphs hold what the manifest says: float32 or int8
 * operators), and {@link #write} writes a folder whole or not at all.
 *
 * <p>Immutable and thread-safe. It holds the graph as bytes and no native resources.
 */
public final class ModelPackage {

    /** The graph's file name. */
    public static final String MODEL_FILE = "model.onnx";
    /** The sequence graph's file name. */
    public static final String SEQUENCE_FILE = "sequence.onnx";
    /**
     * The manifest's file name. It is {@code vocab.json} because format 1's manifest was the vocabulary and little
     * else; the name is part of the format, so it stays.
     */
    public static final String MANIFEST_FILE = "vocab.json";
    /** The value of {@code format} in {@code vocab.json}. */
    public static final String FORMAT = "charlstm-model";
    /**
     * The newest format version this code writes (3, for packages trained on a list; others are written as version 2,
     * which readers before version 3 read); it reads versions 1 to this one.
     */
    public static final int VERSION = ManifestJson.VERSION;

    /** The most {@code vocab.json} may hold: a manifest is kilobytes; anything near this is not one. */
    public static final long MAX_MANIFEST_BYTES = 16L << 20;
    /** The most {@code model.onnx} may hold: the graph is loaded as one Java array (and charlstm's are megabytes). */
    public static final long MAX_GRAPH_BYTES = Integer.MAX_VALUE - 8;

    private final ModelManifest manifest;
    private final byte[] model;
    private final byte[] sequence;
    private final String source;

    ModelPackage(ModelManifest manifest, byte[] model, byte[] sequence, String source) {
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
        ModelManifest.Builder b = manifest.toBuilder().modelSha256(Sha256.hex(step));
        b.sequence(
                seq == null
                        ? null
                        : manifest.hasSequenceGraph() ? manifest.sequenceSignature() : GraphSignature.SEQUENCE,
                seq == null ? null : Sha256.hex(seq));
        String source = "(a package in memory)";
        ModelManifest m = b.build();
        PackageReader.checkPrecision(m, step, source + "/" + MODEL_FILE);
        if (seq != null) {
            PackageReader.checkPrecision(m, seq, source + "/" + SEQUENCE_FILE);
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

    /** The step graph itself, for the writer (never handed out: {@link #modelBytes()} copies). */
    byte[] modelBytesShared() {
        return model;
    }

    /** The sequence graph itself or null, for the writer. */
    byte[] sequenceBytesShared() {
        return sequence;
    }

    /** @return the size of {@code model.onnx} in bytes */
    public int modelSize() {
        return model.length;
    }

    // ---------------------------------------------------------------- reading: one verb, one overload per source

    /**
     * Reads and validates a package folder.
     *
     * @param dir the folder holding {@code model.onnx} and {@code vocab.json} (and {@code sequence.onnx} when the
     *     manifest names it)
     * @return the package
     * @throws PackageException naming the file and the problem
     */
    public static ModelPackage read(Path dir) {
        return PackageReader.folder(dir);
    }

    /**
     * Reads and validates a package packed as classpath resources ({@code folder/vocab.json},
     * {@code folder/model.onnx} [, {@code folder/sequence.onnx}]), e.g. inside an application's jar. The bytes are
     * loaded through the class loader, never through a file path.
     *
     * @param loader the class loader to load through; null for the one that loaded charlstm (pass
     *     {@code Thread.currentThread().getContextClassLoader()} in containers that set one, as Spark does)
     * @param folder the resource folder, e.g. {@code models/moby-dick}, without a leading slash
     * @return the package
     * @throws PackageException if a resource is missing or the package is invalid
     */
    public static ModelPackage read(ClassLoader loader, String folder) {
        return PackageReader.resource(loader, folder);
    }

    /**
     * Reads and validates a package held in memory, e.g. bytes a Spark driver broadcast to its executors (the
     * driver's {@link #manifestJson()}, {@link #modelBytes()} and {@link #sequenceBytes()}). The arrays are copied.
     *
     * @param manifestJson the contents of {@code vocab.json}
     * @param modelOnnx the contents of {@code model.onnx}
     * @param sequenceOnnx the contents of {@code sequence.onnx}, or null when the manifest names none
     * @param source what to call the package in error messages
     * @return the package
     * @throws PackageException if the package is invalid, or the manifest names a sequence graph and none is given
     *     (or names none and one is given)
     */
    public static ModelPackage read(byte[] manifestJson, byte[] modelOnnx, byte[] sequenceOnnx, String source) {
        return PackageReader.bytes(manifestJson, modelOnnx, sequenceOnnx, source);
    }

    // ---------------------------------------------------------------- writing

    /** @return the contents of {@code vocab.json} for this package: format version 3 with items, else 2 */
    public String manifestJson() {
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
        PackageWriter.write(this, dir);
    }

    /**
     * Checks that {@link #write} may write a package to a folder: it is absent, empty, or a package folder holding
     * nothing else. Lets a caller fail before long work rather than after it.
     *
     * @param dir the package folder to create or replace
     * @throws PackageException if it is something else (its files would be lost)
     */
    public static void checkTarget(Path dir) {
        PackageWriter.checkTarget(dir);
    }
}
