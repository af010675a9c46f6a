package dev.charlstm.runtime.pack;

import static dev.charlstm.runtime.pack.ModelPackage.FORMAT;
import static dev.charlstm.runtime.pack.ModelPackage.MANIFEST_FILE;
import static dev.charlstm.runtime.pack.ModelPackage.MAX_GRAPH_BYTES;
import static dev.charlstm.runtime.pack.ModelPackage.MAX_MANIFEST_BYTES;
import static dev.charlstm.runtime.pack.ModelPackage.MODEL_FILE;
import static dev.charlstm.runtime.pack.ModelPackage.SEQUENCE_FILE;
import static dev.charlstm.runtime.pack.ModelPackage.VERSION;

import com.google.gson.JsonElement;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a package from each kind of source and checks everything {@code docs/model-package.md} says a reader must
 * reject: sizes, the manifest's format and version, the graphs' digests, and that the graphs hold the operators of
 * the manifest's precision. Stateless.
 */
final class PackageReader {

    private PackageReader() {}

    static ModelPackage folder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PackageException(dir
                    + (Files.isRegularFile(dir)
                            ? ": a file; give the package's folder (the" + " one holding " + MANIFEST_FILE + " and "
                                    + MODEL_FILE + ")"
                            : ": no such model package folder"));
        }
        ManifestJson.Read read = parseManifest(readFile(dir.resolve(MANIFEST_FILE)), dir.toString());
        byte[] model = readFile(dir.resolve(MODEL_FILE));
        byte[] sequence = read.builder().namesSequence() ? readFile(dir.resolve(SEQUENCE_FILE)) : null;
        return assemble(read, model, sequence, dir.toString());
    }

    static ModelPackage resource(ClassLoader given, String folder) {
        ClassLoader loader = given != null ? given : PackageReader.class.getClassLoader();
        if (folder.startsWith("/")) {
            // ClassLoader resources have no leading slash (Class.getResource's convention differs): say so, not "none"
            throw new PackageException("classpath:" + folder + ": a class loader's resource names have no leading"
                    + " slash; give " + folder.replaceFirst("^/+", ""));
        }
        String base = folder.endsWith("/") ? folder : folder + "/";
        ManifestJson.Read read = parseManifest(readResource(loader, base + MANIFEST_FILE), "classpath:" + base);
        byte[] model = readResource(loader, base + MODEL_FILE);
        byte[] sequence = read.builder().namesSequence() ? readResource(loader, base + SEQUENCE_FILE) : null;
        return assemble(read, model, sequence, "classpath:" + base);
    }

    static ModelPackage bytes(byte[] manifestJson, byte[] modelOnnx, byte[] sequenceOnnx, String source) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(manifestJson, () -> source + ": no " + MANIFEST_FILE + " bytes (null)");
        Objects.requireNonNull(modelOnnx, () -> source + ": no " + MODEL_FILE + " bytes (null)");
        // the same limits as the folder and class-loader readers: a manifest is kilobytes
        checkSize(base(source) + MANIFEST_FILE, manifestJson.length);
        ManifestJson.Read read = parseManifest(manifestJson, source);
        boolean named = read.builder().namesSequence();
        if (named && sequenceOnnx == null) {
            throw new PackageException(base(source) + SEQUENCE_FILE + ": missing from the model package");
        }
        if (!named && sequenceOnnx != null) {
            throw new PackageException(
                    base(source) + MANIFEST_FILE + ": names no sequence graph, but " + SEQUENCE_FILE + " was given");
        }
        return assemble(read, modelOnnx.clone(), named ? sequenceOnnx.clone() : null, source);
    }

    private static String base(String source) {
        return source + (source.endsWith("/") ? "" : "/");
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
        boolean manifest = name.endsWith(MANIFEST_FILE);
        long max = manifest ? MAX_MANIFEST_BYTES : MAX_GRAPH_BYTES;
        if (size > max) {
            throw new PackageException(name + ": " + size + " bytes, more than "
                    + (manifest
                            ? "a manifest can be (" + max + " bytes): is this the package's " + MANIFEST_FILE + "?"
                            : "charlstm loads (" + max + " bytes, one Java array)"));
        }
    }

    /** Reads a stream to the end, failing as soon as it passes its kind's size limit. */
    static byte[] readBounded(InputStream in, String name) throws IOException {
        long max = name.endsWith(MANIFEST_FILE) ? MAX_MANIFEST_BYTES : MAX_GRAPH_BYTES;
        byte[] bytes = in.readNBytes((int) max);
        if (bytes.length == max && in.read() >= 0) {
            checkSize(name, max + 1); // more follows: refuse without reading the rest
        }
        return bytes;
    }

    private static byte[] readResource(ClassLoader loader, String name) {
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
    static ModelPackage parse(byte[] manifestJson, byte[] model, String source) {
        return assemble(parseManifest(manifestJson, source), model, null, source);
    }

    /** Reads and checks the manifest. */
    private static ManifestJson.Read parseManifest(byte[] manifestJson, String source) {
        String manifestFile = base(source) + MANIFEST_FILE;
        JsonElement tree;
        try {
            tree = JsonFields.parse(new String(manifestJson, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new PackageException(manifestFile + ": not valid JSON: " + e.getMessage(), e);
        }
        if (tree.isJsonNull()) {
            throw new PackageException(manifestFile + ": empty");
        }
        if (!tree.isJsonObject()) {
            throw new PackageException(manifestFile + ": must be a JSON object ({...}), but it holds "
                    + (tree.isJsonArray() ? "an array" : "a single value"));
        }
        try {
            JsonFields root = JsonFields.root(tree.getAsJsonObject());
            String format = root.string("format");
            if (!FORMAT.equals(format)) {
                throw new PackageException(manifestFile + ": format is "
                        + (format == null ? "missing" : '"' + format + '"') + ", expected \"" + FORMAT + "\"");
            }
            Integer version = root.int32("version");
            if (version == null || version < 1 || version > VERSION) {
                throw new PackageException(manifestFile + ": format version " + version + " is not supported (this"
                        + " charlstm reads versions 1 to " + VERSION + ")");
            }
            return ManifestJson.read(version, root.json());
        } catch (IllegalArgumentException e) {
            throw new PackageException(manifestFile + ": " + e.getMessage(), e);
        }
    }

    /** Checks the graphs against the manifest's digests and quantization, and makes the package. */
    private static ModelPackage assemble(ManifestJson.Read read, byte[] model, byte[] sequence, String source) {
        String base = base(source);
        String actual = Sha256.hex(model);
        if (!actual.equalsIgnoreCase(read.graphSha256())) {
            throw new PackageException(base + MODEL_FILE + ": SHA-256 " + actual + " does not match the "
                    + read.graphSha256() + " recorded in " + MANIFEST_FILE + " (a model.onnx from another package,"
                    + " or a damaged one)");
        }
        ModelManifest manifest;
        try {
            manifest = read.builder().modelSha256(actual).build();
        } catch (IllegalArgumentException e) {
            throw new PackageException(base + MANIFEST_FILE + ": " + e.getMessage(), e);
        }
        checkPrecision(manifest, model, base + MODEL_FILE);
        if (sequence != null) {
            String seqSha = Sha256.hex(sequence);
            if (!seqSha.equalsIgnoreCase(manifest.sequenceSha256())) {
                throw new PackageException(base + SEQUENCE_FILE + ": SHA-256 " + seqSha + " does not match the "
                        + manifest.sequenceSha256() + " recorded in " + MANIFEST_FILE + " (a sequence.onnx from"
                        + " another package, or a damaged one)");
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
    static void checkPrecision(ModelManifest m, byte[] graph, String file) {
        Set<String> ops;
        try {
            ops = OnnxOperators.of(graph);
        } catch (IllegalArgumentException e) {
            return; // not ONNX at all: ONNX Runtime says so when it loads it, naming the file
        }
        List<String> quantized = ops.stream()
                .filter(o ->
                        o.startsWith("com.microsoft.Dynamic") || o.contains("Integer") || o.contains("QuantizeLinear"))
                .sorted()
                .toList();
        Quantization q = m.quantization();
        if (q == null && !quantized.isEmpty()) {
            throw new PackageException(file + ": holds int8 operators (" + String.join(", ", quantized) + ") but "
                    + MANIFEST_FILE + " says the package is float32 (quantization: null)");
        }
        if (q == null) {
            return;
        }
        List<String> missing =
                q.operators().stream().filter(o -> !ops.contains(o)).toList();
        List<String> foreign =
                quantized.stream().filter(o -> !q.operators().contains(o)).toList();
        if (ops.contains("LSTM") || !missing.isEmpty() || !foreign.isEmpty()) {
            throw new PackageException(file + ": holds "
                    + (ops.contains("LSTM")
                            ? "float32 LSTM layers"
                            : !foreign.isEmpty() ? String.join(", ", foreign) : "no " + String.join(", ", missing))
                    + " but " + MANIFEST_FILE + " says it is " + q.method() + " (expected "
                    + String.join(" and ", q.operators()) + ")");
        }
    }
}
