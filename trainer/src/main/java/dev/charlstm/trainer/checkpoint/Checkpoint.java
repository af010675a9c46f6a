package dev.charlstm.trainer.checkpoint;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.trainer.model.CharLstm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A training checkpoint: a ZIP file holding {@code checkpoint.json} ({@link CheckpointMetadata}),
 * {@code parameters.djl} (the model's parameters in DJL's block format) and {@code optimizer.bin} (AdamW's step
 * and moments).
 *
 * <p>Writing is atomic: the bytes go to a temporary file beside the target, are forced to disk, and replace the
 * target with one rename, so a kill at any moment leaves the previous checkpoint intact. Reading verifies ZIP
 * CRCs, SHA-256 digests of both binary parts, the format name and version.
 *
 * <p>Immutable once built and thread-safe (the byte arrays are never handed out).
 */
public final class Checkpoint {

    static final String META = "checkpoint.json";
    static final String PARAMETERS = "parameters.djl";
    static final String OPTIMIZER = "optimizer.bin";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private final CheckpointMetadata metadata;
    private final byte[] parameters;
    private final byte[] optimizer;

    private Checkpoint(CheckpointMetadata metadata, byte[] parameters, byte[] optimizer) {
        this.metadata = metadata;
        this.parameters = parameters;
        this.optimizer = optimizer;
    }

    /**
     * Captures a model's parameters and optimizer state.
     *
     * @param metadata the JSON part; its digests are filled in here
     * @param model the model whose parameters to save
     * @param optimizerState writes the optimizer state
     * @return the checkpoint
     * @throws CheckpointException if the parameters cannot be serialised
     */
    public static Checkpoint capture(CheckpointMetadata metadata, CharLstm model, StateWriter optimizerState) {
        try {
            ByteArrayOutputStream params = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(params)) {
                model.saveParameters(out);
            }
            ByteArrayOutputStream opt = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(opt)) {
                optimizerState.write(out);
            }
            byte[] paramBytes = params.toByteArray();
            byte[] optBytes = opt.toByteArray();
            metadata.parametersSha256 = Sha256.hex(paramBytes);
            metadata.optimizerSha256 = Sha256.hex(optBytes);
            return new Checkpoint(metadata, paramBytes, optBytes);
        } catch (IOException e) {
            throw new CheckpointException("cannot serialise the model: " + e.getMessage(), e);
        }
    }

    /** @return the JSON part; treat as read-only */
    public CheckpointMetadata metadata() {
        return metadata;
    }

    /** @return the vocabulary */
    public Vocabulary vocabulary() {
        return Vocabulary.of(metadata.vocabulary);
    }

    /**
     * Loads the saved parameters into a model built with the saved configuration.
     *
     * @param model a model of the checkpoint's shape
     * @param manager owns the loaded arrays
     * @throws CheckpointException if the parameters do not fit the model
     */
    public void loadParameters(CharLstm model, NDManager manager) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            model.loadParameters(manager, in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new CheckpointException("the checkpoint's parameters do not fit a " + model.config()
                    + " model: " + e.getMessage(), e);
        }
    }

    /**
     * Hands the optimizer state to a reader.
     *
     * @param reader reads what the {@link StateWriter} wrote
     * @throws CheckpointException if the reader fails
     */
    public void loadOptimizer(StateReader reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(optimizer))) {
            reader.read(in);
        } catch (IOException e) {
            throw new CheckpointException("the checkpoint's optimizer state does not fit the model: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Writes the checkpoint atomically: to a temporary file in the same folder, forced to disk, then renamed over
     * {@code file}.
     *
     * @param file the target
     * @throws CheckpointException if writing fails; the previous file at {@code file} is then untouched
     */
    public void write(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    ZipOutputStream zip = new ZipOutputStream(java.nio.channels.Channels.newOutputStream(ch))) {
                put(zip, META, GSON.toJson(metadata).getBytes(StandardCharsets.UTF_8));
                put(zip, PARAMETERS, parameters);
                put(zip, OPTIMIZER, optimizer);
                zip.finish();
                zip.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write the checkpoint: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file never replaced anything
                }
            }
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /**
     * Reads and verifies a checkpoint.
     *
     * @param file the checkpoint file
     * @return the checkpoint
     * @throws CheckpointException naming the file if it is missing, not a checkpoint, truncated, corrupt, or of
     *     another format version
     */
    public static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": no such checkpoint file");
        }
        byte[] meta;
        byte[] params;
        byte[] opt;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            meta = entry(zip, file, META);
            params = entry(zip, file, PARAMETERS);
            opt = entry(zip, file, OPTIMIZER);
        } catch (ZipException e) {
            throw new CheckpointException(file + ": not a readable checkpoint (corrupt or truncated: "
                    + e.getMessage() + ")", e);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such checkpoint file", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the checkpoint (corrupt or truncated: "
                    + e.getMessage() + ")", e);
        }
        CheckpointMetadata m;
        try {
            m = GSON.fromJson(new String(meta, StandardCharsets.UTF_8), CheckpointMetadata.class);
        } catch (JsonParseException e) {
            throw new CheckpointException(file + ": " + META + " is not valid JSON: " + e.getMessage(), e);
        }
        if (m == null || !CheckpointMetadata.FORMAT.equals(m.format)) {
            throw new CheckpointException(file + ": not a charlstm checkpoint (format "
                    + (m == null ? "missing" : '"' + m.format + '"') + ")");
        }
        if (m.version != CheckpointMetadata.VERSION) {
            throw new CheckpointException(file + ": checkpoint format version " + m.version
                    + " is not supported (this charlstm reads version " + CheckpointMetadata.VERSION + ")");
        }
        if (m.config == null || m.vocabulary == null || m.cleaning == null || m.rng == null) {
            throw new CheckpointException(file + ": " + META + " lacks its config, vocabulary, cleaning or rng");
        }
        if (!Sha256.hex(params).equals(m.parametersSha256) || !Sha256.hex(opt).equals(m.optimizerSha256)) {
            throw new CheckpointException(file + ": corrupt checkpoint: the parameters or optimizer state do not"
                    + " match their recorded SHA-256");
        }
        try {
            m.config = m.config.toBuilder().build(); // re-validates every value
            Vocabulary.of(m.vocabulary);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
        return new Checkpoint(m, params, opt);
    }

    private static byte[] entry(ZipFile zip, Path file, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new CheckpointException(file + ": not a complete checkpoint: it lacks " + name);
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    /** Writes optimizer state into a checkpoint. */
    @FunctionalInterface
    public interface StateWriter {
        /** @param out the stream @throws IOException if writing fails */
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads optimizer state from a checkpoint. */
    @FunctionalInterface
    public interface StateReader {
        /** @param in the stream @throws IOException if the state is unreadable or does not fit */
        void read(DataInputStream in) throws IOException;
    }
}
