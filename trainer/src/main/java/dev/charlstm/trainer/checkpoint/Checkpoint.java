package dev.charlstm.trainer.checkpoint;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.internal.LegacyTraining;
import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.runtime.pack.LineItems;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.model.CharLstm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A training checkpoint: a ZIP file holding {@code checkpoint.json} ({@link CheckpointMetadata}, written and read
 * field by field here: format version 2 (3 for a run on a list: cleaning.lines and items), and version 1 with its flat camelCase training fields),
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

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .serializeSpecialFloatingPointValues()
            .disableHtmlEscaping()
            .serializeNulls()
            .create();

    private final CheckpointMetadata metadata;
    private final byte[] parameters;
    private final byte[] optimizer;
    private final String source;

    private Checkpoint(CheckpointMetadata metadata, byte[] parameters, byte[] optimizer, String source) {
        this.metadata = metadata;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.source = source;
    }

    /** @return the file it was read from, or {@code (in memory)}: for messages */
    public String source() {
        return source;
    }

    /**
     * Captures a model's parameters and optimizer state.
     *
     * @param metadata the JSON part
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
            return new Checkpoint(metadata, params.toByteArray(), opt.toByteArray(), "(in memory)");
        } catch (IOException e) {
            throw new CheckpointException("cannot serialise the model: " + e.getMessage(), e);
        }
    }

    /** @return the JSON part */
    public CheckpointMetadata metadata() {
        return metadata;
    }

    /** @return the vocabulary */
    public Vocabulary vocabulary() {
        return Vocabulary.of(metadata.vocabulary());
    }

    /**
     * Loads the saved parameters into a model built with the saved configuration.
     *
     * @param model a model of the checkpoint's shape
     * @param manager owns the loaded arrays
     * @throws CheckpointException if the parameters do not fit the model
     */
    public void loadParameters(CharLstm model, NDManager manager) {
        Map<String, Shape> expected = new LinkedHashMap<>();
        model.getParameters()
                .forEach(p -> expected.put(p.getKey(), p.getValue().getArray().getShape()));
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            model.loadParameters(manager, in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new CheckpointException(
                    source + ": the checkpoint's parameters do not fit a " + model.shape() + " model: "
                            + e.getMessage(),
                    e);
        }
        // DJL loads arrays of any shape into a block; a configuration that disagrees with its weights must not train.
        model.getParameters().forEach(p -> {
            Shape loaded = p.getValue().getArray().getShape();
            if (!loaded.equals(expected.get(p.getKey()))) {
                throw new CheckpointException(source + ": the checkpoint's parameter " + p.getKey() + " is " + loaded
                        + ", but its configuration (" + model.shape() + ") needs " + expected.get(p.getKey()));
            }
        });
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
            throw new CheckpointException(
                    "the checkpoint's optimizer state does not fit the model: " + e.getMessage(), e);
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
        try {
            AtomicFiles.replaceFile(file, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                put(zip, META, json().getBytes(StandardCharsets.UTF_8));
                put(zip, PARAMETERS, parameters);
                put(zip, OPTIMIZER, optimizer);
                zip.finish();
            });
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write the checkpoint: " + AtomicFiles.describe(e), e);
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
            throw new CheckpointException(
                    file + ": not a readable checkpoint (corrupt or truncated: " + e.getMessage() + ")", e);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such checkpoint file", e);
        } catch (IOException e) {
            throw new CheckpointException(
                    file + ": cannot read the checkpoint (corrupt or truncated: " + e.getMessage() + ")", e);
        }
        JsonElement tree;
        try {
            tree = JsonFields.parse(new String(meta, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + META + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!tree.isJsonObject()) {
            throw new CheckpointException(file + ": not a charlstm checkpoint (" + META + " is not a JSON object)");
        }
        try {
            JsonFields root = JsonFields.root(tree.getAsJsonObject());
            String format = root.string("format");
            if (!CheckpointMetadata.FORMAT.equals(format)) {
                throw new CheckpointException(file + ": not a charlstm checkpoint (format "
                        + (format == null ? "missing" : '"' + format + '"') + ")");
            }
            Integer version = root.int32("version");
            if (version == null || version < 1 || version > CheckpointMetadata.VERSION) {
                throw new CheckpointException(file + ": checkpoint format version " + version + " is not supported"
                        + " (this charlstm reads versions 1 to " + CheckpointMetadata.VERSION + "); a newer"
                        + " charlstm wrote it: resume it with that one, or export its package with it");
            }
            Names n = new Names(version);
            for (String digest : new String[] {"parameters_sha256", "optimizer_sha256"}) {
                if (root.string(n.of(digest)) == null) {
                    throw new CheckpointException(file + ": not a complete checkpoint: " + META + " lacks "
                            + n.of(digest) + " (version " + version + ")");
                }
            }
            if (!Sha256.hex(params).equals(root.string(n.of("parameters_sha256")))
                    || !Sha256.hex(opt).equals(root.string(n.of("optimizer_sha256")))) {
                throw new CheckpointException(file + ": corrupt checkpoint: the parameters or optimizer state do not"
                        + " match their recorded SHA-256");
            }
            return new Checkpoint(metadata(root, n), params, opt, file.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": invalid checkpoint: " + e.getMessage(), e);
        }
    }

    /** Field names: version 2's snake_case, or version 1's camelCase (Gson's reflection over the old fields). */
    private record Names(int version) {
        String of(String snake) {
            if (version > 1) {
                return snake;
            }
            StringBuilder b = new StringBuilder();
            for (String part : snake.split("_")) {
                b.append(b.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
            }
            return b.toString();
        }
    }

    private static CheckpointMetadata metadata(JsonFields root, Names n) {
        JsonFields configJson = root.objectOrNull("config");
        JsonFields cleaningJson = root.objectOrNull("cleaning");
        int[] vocabulary = root.intArray("vocabulary");
        JsonFields rng = root.objectOrNull("rng");
        if (configJson == null || vocabulary == null || cleaningJson == null || rng == null) {
            throw new IllegalArgumentException(META + " lacks its config, vocabulary, cleaning or rng");
        }
        // Version 1 stored the configuration flat, under its old Java field names.
        TrainingConfig config = TrainingConfig.fromSections(
                n.version() == 1 ? LegacyTraining.sections(configJson.toMap(), "config.") : configJson.toMap());
        Vocabulary.of(vocabulary); // validates
        TextCleaning cleaning = TextCleaning.builder()
                .dropLinesContaining(cleaningJson.string(n.of("drop_lines_containing")))
                .keepNewlines(Boolean.TRUE.equals(cleaningJson.bool(n.of("keep_newlines"))))
                .lines(Boolean.TRUE.equals(cleaningJson.bool("lines"))) // version 3
                // added later: a checkpoint without it was trained on text as given
                .normalizeNfc(ModelManifest.NFC.equals(cleaningJson.string("unicode_normalization")))
                .build();
        JsonFields c = root.objectOrNull("corpus");
        CheckpointMetadata.CorpusInfo corpus = c == null
                ? null
                : new CheckpointMetadata.CorpusInfo(
                        c.string("source"), c.string("sha256"), c.requiredInteger("characters"));
        JsonFields m = root.object("metrics");
        CheckpointMetadata.Metrics metrics = new CheckpointMetadata.Metrics(
                m.requiredNumber(n.of("train_loss")),
                m.requiredNumber(n.of("val_loss")),
                m.requiredNumber(n.of("best_val_loss")),
                (int) m.requiredInteger(n.of("best_iteration")),
                m.requiredNumber(n.of("chars_per_second")),
                m.requiredNumber(n.of("elapsed_seconds")));
        Integer iteration = root.int32("iteration");
        if (iteration == null || iteration < 0) {
            throw new IllegalArgumentException(META + ": iteration is " + iteration);
        }
        return new CheckpointMetadata(
                iteration,
                config,
                cleaning,
                vocabulary,
                corpus,
                metrics,
                new CheckpointMetadata.RngState(rng.requiredInteger("seed"), rng.requiredInteger(n.of("next_batch"))),
                root.string(n.of("created_at")),
                items(root));
    }

    /** Version 3: a list's split and membership structures, in the package manifest's form. */
    private static LineItems items(JsonFields root) {
        if (!root.has("items") || root.json().get("items").isJsonNull()) {
            return null;
        }
        return LineItems.fromJson(root.json().get("items").toString());
    }

    /** @return {@code checkpoint.json}: format version 3 for a run on a list, else 2; snake_case */
    String json() {
        CheckpointMetadata m = metadata;
        JsonObject o = new JsonObject();
        o.addProperty("format", CheckpointMetadata.FORMAT);
        o.addProperty("version", m.items() != null || m.cleaning().lines() ? CheckpointMetadata.VERSION : 2);
        o.addProperty("iteration", m.iteration());
        o.add("config", JsonFields.toJson(m.config().toSections()));
        JsonObject cleaning = new JsonObject();
        cleaning.addProperty("drop_lines_containing", m.cleaning().dropLinesContaining());
        cleaning.addProperty("keep_newlines", m.cleaning().keepNewlines());
        cleaning.addProperty("unicode_normalization", m.cleaning().normalizeNfc() ? ModelManifest.NFC : null);
        if (m.cleaning().lines()) {
            cleaning.addProperty("lines", true);
        }
        o.add("cleaning", cleaning);
        if (m.items() != null) {
            o.add("items", JsonParser.parseString(m.items().toJson()));
        }
        JsonArray vocab = new JsonArray();
        for (int cp : m.vocabulary()) {
            vocab.add(cp);
        }
        o.add("vocabulary", vocab);
        if (m.corpus() != null) {
            JsonObject corpus = new JsonObject();
            corpus.addProperty("source", m.corpus().source());
            corpus.addProperty("sha256", m.corpus().sha256());
            corpus.addProperty("characters", m.corpus().characters());
            o.add("corpus", corpus);
        }
        CheckpointMetadata.Metrics x = m.metrics();
        JsonObject metrics = new JsonObject();
        metrics.addProperty("train_loss", x.trainLoss());
        metrics.addProperty("val_loss", x.valLoss());
        metrics.addProperty("best_val_loss", x.bestValLoss());
        metrics.addProperty("best_iteration", x.bestIteration());
        metrics.addProperty("chars_per_second", x.charsPerSecond());
        metrics.addProperty("elapsed_seconds", x.elapsedSeconds());
        o.add("metrics", metrics);
        JsonObject rng = new JsonObject();
        rng.addProperty("seed", m.rng().seed());
        rng.addProperty("next_batch", m.rng().nextBatch());
        o.add("rng", rng);
        o.addProperty("optimizer", CheckpointMetadata.OPTIMIZER);
        o.addProperty("created_at", m.createdAt());
        o.addProperty("parameters_sha256", Sha256.hex(parameters));
        o.addProperty("optimizer_sha256", Sha256.hex(optimizer));
        return GSON.toJson(o);
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
