package dev.charlstm.runtime.pack;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.internal.LegacyTraining;
import dev.charlstm.runtime.internal.Sha256;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a manifest ({@code vocab.json}) of format version 1, 2 or 3 and writes version 2 or 3 (3 only for a package
 * trained on a list, whose {@code cleaning.lines} and {@code items} a version 2 reader would ignore), field by field: the file
 * format lives here and in {@code docs/model-package.md}, never in the names of Java fields. Stateless and
 * thread-safe.
 */
final class ManifestJson {

    /** The newest version {@link #write} writes (for packages trained on a list; others are written as 2). */
    static final int VERSION = 3;

    /** The version of packages without items: what readers before version 3 read. */
    static final int TEXT_VERSION = 2;

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeNulls()
            .create();

    private ManifestJson() {}

    /** A manifest as read: its description, and the digest and file it records for the step graph. */
    record Read(ModelManifest.Builder builder, String graphSha256) {}

    /**
     * @param version the manifest's format version (already checked to be 1, 2 or 3)
     * @param root its top-level object
     * @return what it says
     * @throws IllegalArgumentException naming the first field that is missing, of the wrong type or invalid
     */
    static Read read(int version, JsonObject root) {
        if (version == 1) {
            return readVersion1(JsonFields.root(root));
        }
        Read read = readVersion2(JsonFields.root(root));
        // a list needs version 3: a reader of version 2 would load it and ignore what makes it a list
        ModelManifest.Builder b = read.builder();
        require(
                version >= VERSION || !b.describesList(),
                "cleaning.lines and items (a model trained on a list) need format version 3, but version is "
                        + version);
        return read;
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static Vocabulary vocabulary(JsonFields v, int vocabSize) {
        int[] codePoints = v.intArray("code_points");
        require(codePoints != null, "vocabulary.code_points is missing");
        Vocabulary vocab;
        try {
            vocab = Vocabulary.of(codePoints);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vocabulary.code_points: " + e.getMessage(), e);
        }
        require(
                vocab.size() == vocabSize,
                "the vocabulary has " + vocab.size() + " entries but model.vocab_size is " + vocabSize);
        List<String> characters = v.stringList("characters");
        if (characters != null) {
            require(
                    characters.size() == vocab.size(),
                    "vocabulary.characters has " + characters.size() + " entries, code_points " + vocab.size());
            for (int i = 0; i < vocab.size(); i++) {
                require(
                        new String(Character.toChars(vocab.codePoint(i))).equals(characters.get(i)),
                        "vocabulary.characters[" + i + "] disagrees with code point "
                                + Vocabulary.describe(vocab.codePoint(i)));
            }
        }
        return vocab;
    }

    /** The step graph's file, digest, opset and names, at {@code prefix} (graph. or graphs.step.). */
    private static Read graph(JsonFields g, String prefix, ModelManifest.Builder b) {
        int opset = (int) g.requiredInteger("opset");
        require(opset > 0, prefix + "opset must be positive, got " + opset);
        String[] sha = new String[1];
        b.signature(signature(g, prefix, ModelPackage.MODEL_FILE, "token", sha)).opset(opset);
        return new Read(b, sha[0]);
    }

    /** A graph's names (inputs.{role}, h, c; outputs logits, h, c), checking its file name; sha[0] gets its digest. */
    private static GraphSignature signature(
            JsonFields g, String prefix, String expectedFile, String tokenRole, String[] sha) {
        sha[0] = g.string("sha256");
        require(sha[0] != null, prefix + "sha256 is missing");
        JsonFields in = g.object("inputs");
        JsonFields out = g.object("outputs");
        String file = g.string("file");
        require(
                file == null || expectedFile.equals(file),
                prefix + "file is \"" + file + "\", expected \"" + expectedFile + "\"");
        String token = in.string(tokenRole);
        String h = in.string("h");
        String c = in.string("c");
        String logits = out.string("logits");
        String hOut = out.string("h");
        String cOut = out.string("c");
        try {
            GraphSignature.check(prefix, token, h, c, logits, hOut, cOut);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("inputs.token", "inputs." + tokenRole), e);
        }
        return new GraphSignature(token, h, c, logits, hOut, cOut);
    }

    /** quantization: null (float32) or an object whose method this reader knows. */
    private static Quantization quantization(JsonFields r) {
        if (!r.has("quantization") || r.json().get("quantization").isJsonNull()) {
            return null;
        }
        JsonFields q = r.object("quantization");
        String method = q.string("method");
        try {
            return new Quantization(method, q.string("source_sha256"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quantization.method: " + e.getMessage(), e);
        }
    }

    private static ModelShape shape(JsonFields m, float dropout) {
        String architecture = m.string("architecture");
        require(architecture != null, "model.architecture is missing");
        require(
                ModelShape.ARCHITECTURE.equals(architecture),
                "model.architecture is \"" + architecture + "\", expected \"" + ModelShape.ARCHITECTURE + "\"");
        int v = dimension(m, "vocab_size");
        int e = dimension(m, "embedding_size");
        int h = dimension(m, "hidden_size");
        int l = dimension(m, "layers");
        require(v > 0, "model.vocab_size: vocabulary size must be positive, got " + v);
        try {
            return new ModelShape(v, e, h, l, dropout);
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException("model: " + x.getMessage(), x);
        }
    }

    private static int dimension(JsonFields m, String key) {
        Integer v = m.int32(key);
        require(v != null, "model." + key + " is missing");
        return v;
    }

    /** Checks what a reader can check of the recorded facts: ranges, and bits agreeing with nats. */
    private static Provenance provenance(Provenance p, Double bitsPerChar, String at) {
        require(p.iterations() == null || p.iterations() >= 0, at + "iterations must be >= 0, got " + p.iterations());
        require(
                p.corpusCharacters() == null || p.corpusCharacters() >= 0,
                at + "corpus characters must be >= 0, got " + p.corpusCharacters());
        require(p.valLoss() == null || p.valLoss() >= 0, at + "validation loss must be >= 0, got " + p.valLoss());
        require(
                p.valFraction() == null || p.valFraction() > 0 && p.valFraction() < 1,
                at + "held-out fraction must be in (0, 1), got " + p.valFraction());
        require(
                p.valWindow() == null || p.valWindow() > 0,
                at + "validation window must be positive, got " + p.valWindow());
        require(
                bitsPerChar == null
                        || p.valLoss() != null
                                && Math.abs(bitsPerChar - p.valBitsPerChar()) <= 1e-9 * Math.max(1, bitsPerChar),
                at + "bits per character " + bitsPerChar + " disagrees with " + p.valLoss() + " nats (x 1/ln 2 = "
                        + p.valBitsPerChar() + ")");
        return p;
    }

    /** A version 2 training record: sections of scalar values, the model section being the manifest's own. */
    private static Map<String, Object> training(JsonFields t) {
        Map<String, Object> sections = t.toMap();
        for (Map.Entry<String, Object> s : sections.entrySet()) {
            String at = "training." + s.getKey();
            require(!s.getKey().equals("model"), at + ": the model section is the manifest's model, not training's");
            require(
                    s.getValue() instanceof Map,
                    at + " must be an object of hyper-parameters, got " + JsonFields.toJson(s.getValue()));
            for (Map.Entry<?, ?> f : ((Map<?, ?>) s.getValue()).entrySet()) {
                Object v = f.getValue();
                require(
                        v instanceof String
                                || v instanceof Boolean
                                || v instanceof Long
                                || v instanceof Double d && Double.isFinite(d),
                        "a field has the wrong type: " + at + "."
                                + f.getKey() + " must be a number, a string or true/false, got "
                                + t.json().getAsJsonObject(s.getKey()).get(String.valueOf(f.getKey())));
            }
        }
        return sections;
    }

    // ------------------------------------------------------------------------------------------------ version 2

    private static Read readVersion2(JsonFields r) {
        JsonFields m = r.object("model");
        Double dropout = m.number("dropout");
        ModelShape shape = shape(m, dropout == null ? 0f : dropout.floatValue());
        ModelManifest.Builder b =
                ModelManifest.builder().shape(shape).vocabulary(vocabulary(r.object("vocabulary"), shape.vocabSize()));
        JsonFields cleaning = r.objectOrNull("cleaning");
        if (cleaning != null) {
            b.cleaning(cleaning.string("drop_lines_containing"), Boolean.TRUE.equals(cleaning.bool("keep_newlines")));
            // added later: absent in earlier packages, which keep seeing text as given
            b.unicodeNormalization(
                    cleaning.has("unicode_normalization") ? cleaning.string("unicode_normalization") : null);
            // version 3: one item per line
            b.lines(Boolean.TRUE.equals(cleaning.bool("lines")));
        }
        JsonFields items = r.objectOrNull("items");
        if (items != null) {
            b.items(readItems(items));
        }
        // A method this reader does not know is refused, never loaded as if it were float32.
        b.quantization(quantization(r));
        JsonFields p = r.objectOrNull("provenance");
        if (p != null) {
            JsonFields corpus = p.objectOrNull("corpus");
            JsonFields val = p.objectOrNull("validation");
            b.provenance(provenance(
                    new Provenance(
                            p.string("producer"),
                            p.string("created_at"),
                            corpus == null ? null : corpus.string("name"),
                            corpus == null ? null : corpus.string("sha256"),
                            corpus == null ? null : corpus.integer("characters"),
                            p.int32("iterations"),
                            val == null ? null : val.number("nats_per_char"),
                            val == null ? null : val.number("held_out_fraction"),
                            val == null ? null : val.int32("window")),
                    val == null ? null : val.number("bits_per_char"),
                    "provenance: "));
        }
        JsonFields training = r.objectOrNull("training");
        if (training != null) {
            b.training(training(training));
        }
        // Graphs other than these two (a later version's) are not this reader's business.
        JsonFields graphs = r.object("graphs");
        Read read = graph(graphs.object("step"), "graphs.step.", b);
        JsonFields sequence = graphs.objectOrNull("sequence");
        if (sequence != null) {
            int opset = (int) sequence.requiredInteger("opset");
            require(opset > 0, "graphs.sequence.opset must be positive, got " + opset);
            String[] sha = new String[1];
            b.sequence(signature(sequence, "graphs.sequence.", ModelPackage.SEQUENCE_FILE, "tokens", sha), sha[0]);
        }
        return read;
    }

    // ------------------------------------------------------------------------------------------------ version 1

    private static Read readVersion1(JsonFields r) {
        require(
                r.has("model") && r.has("vocabulary") && r.has("graph"),
                "lacks one of the sections model, vocabulary, graph");
        JsonFields p = r.objectOrNull("provenance");
        JsonFields flatTraining = p == null ? null : p.objectOrNull("training");
        Map<String, Map<String, Object>> sections =
                flatTraining == null ? Map.of() : LegacyTraining.sections(flatTraining.toMap(), "provenance.training.");
        Map<String, Object> model = sections.getOrDefault("model", Map.of());
        Map<String, Object> data = sections.getOrDefault("data", Map.of());
        ModelShape shape = shape(r.object("model"), model.get("dropout") instanceof Double d ? d.floatValue() : 0f);
        long[] dims = {shape.embeddingSize(), shape.hiddenSize(), shape.layers()};
        String[] names = {"embedding_size", "hidden_size", "layers"};
        for (int i = 0; i < dims.length; i++) {
            Object recorded = model.get(names[i]);
            require(
                    recorded == null || (Long) recorded == dims[i],
                    "provenance.training records " + names[i] + " " + recorded + " but model." + names[i] + " is "
                            + dims[i]);
        }
        ModelManifest.Builder b =
                ModelManifest.builder().shape(shape).vocabulary(vocabulary(r.object("vocabulary"), shape.vocabSize()));
        JsonFields cleaning = r.objectOrNull("cleaning");
        if (cleaning != null) {
            b.cleaning(cleaning.string("drop_lines_containing"), Boolean.TRUE.equals(cleaning.bool("keep_newlines")));
        }
        if (p != null) {
            Object window = data.get("seq_len");
            require(
                    window == null || (Long) window <= Integer.MAX_VALUE,
                    "provenance.training.seqLen must be an integer below 2^31, got " + window);
            b.provenance(provenance(
                    new Provenance(
                            p.string("producer"),
                            p.string("created_at"),
                            p.string("corpus_source"),
                            p.string("corpus_sha256"),
                            p.integer("corpus_characters"),
                            p.int32("iterations"),
                            p.number("val_loss"),
                            data.get("validation_fraction") instanceof Double f ? f : null,
                            window == null ? null : ((Long) window).intValue()),
                    p.number("val_bits_per_char"),
                    "provenance: "));
        }
        Map<String, Object> training = new LinkedHashMap<>(sections);
        training.remove("model"); // the shape holds it
        b.training(training);
        return graph(r.object("graph"), "graph.", b);
    }

    // ------------------------------------------------------------------------------------------------ items

    static LineItems readItems(String json) {
        JsonElement e = JsonFields.parse(json);
        require(e.isJsonObject(), "items must be an object");
        return readItems(JsonFields.root(e.getAsJsonObject()));
    }

    private static LineItems readItems(JsonFields items) {
        Integer maxLength = items.int32("max_length");
        require(maxLength != null, "items.max_length is missing");
        long seed = items.requiredInteger("split_seed");
        double fraction = items.requiredNumber("held_out_fraction");
        ItemMembership training = membership(items.object("training"), "items.training.");
        ItemMembership heldOut = membership(items.object("held_out"), "items.held_out.");
        return new LineItems(seed, fraction, maxLength, training, heldOut);
    }

    private static ItemMembership membership(JsonFields f, String at) {
        String base64 = f.string("bloom");
        require(base64 != null, at + "bloom is missing");
        byte[] bits;
        try {
            bits = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + "bloom is not base64: " + e.getMessage(), e);
        }
        String sha = f.string("sha256");
        require(sha != null, at + "sha256 is missing");
        require(
                sha.equalsIgnoreCase(Sha256.hex(bits)),
                at + "bloom's SHA-256 " + Sha256.hex(bits) + " differs from the recorded " + sha + " (damaged)");
        Integer count = f.int32("count");
        require(count != null, at + "count is missing");
        Integer hashes = f.int32("hashes");
        require(hashes != null, at + "hashes is missing");
        long m = f.requiredInteger("bits");
        Double rate = f.number("false_positive_rate"); // informational, but a number when present
        require(rate == null || rate >= 0 && rate <= 1, at + "false_positive_rate must be in [0, 1], got " + rate);
        try {
            return new ItemMembership(count, m, hashes, bits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at.substring(0, at.length() - 1) + ": " + e.getMessage(), e);
        }
    }

    static JsonObject itemsJson(LineItems items) {
        JsonObject o = new JsonObject();
        o.addProperty("split_seed", items.splitSeed());
        o.addProperty("held_out_fraction", items.heldOutFraction());
        o.addProperty("max_length", items.maxLength());
        o.add("training", membershipJson(items.training()));
        o.add("held_out", membershipJson(items.heldOut()));
        return o;
    }

    private static JsonObject membershipJson(ItemMembership m) {
        JsonObject o = new JsonObject();
        o.addProperty("count", m.count());
        o.addProperty("bits", m.bits());
        o.addProperty("hashes", m.hashes());
        o.addProperty("false_positive_rate", m.falsePositiveRate());
        o.addProperty("sha256", Sha256.hex(m.filterShared()));
        o.addProperty("bloom", Base64.getEncoder().encodeToString(m.filterShared()));
        return o;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** One entry of {@code graphs}: file, digest, opset, and the names by role. */
    private static JsonObject graph(String file, String sha256, int opset, String tokenRole, GraphSignature n) {
        JsonObject g = new JsonObject();
        g.addProperty("file", file);
        g.addProperty("sha256", sha256);
        g.addProperty("opset", opset);
        JsonObject inputs = new JsonObject();
        inputs.addProperty(tokenRole, n.token());
        inputs.addProperty("h", n.h());
        inputs.addProperty("c", n.c());
        JsonObject outputs = new JsonObject();
        outputs.addProperty("logits", n.logits());
        outputs.addProperty("h", n.hOut());
        outputs.addProperty("c", n.cOut());
        g.add("inputs", inputs);
        g.add("outputs", outputs);
        return g;
    }

    /**
     * @param m the description
     * @return {@code vocab.json}, format version 3 for a package with items, else 2, ending with a newline
     */
    static String write(ModelManifest m) {
        JsonObject root = new JsonObject();
        root.addProperty("format", ModelPackage.FORMAT);
        root.addProperty("version", m.lines() || m.items() != null ? VERSION : TEXT_VERSION);

        ModelShape s = m.shape();
        JsonObject model = new JsonObject();
        model.addProperty("architecture", ModelShape.ARCHITECTURE);
        model.addProperty("vocab_size", s.vocabSize());
        model.addProperty("embedding_size", s.embeddingSize());
        model.addProperty("hidden_size", s.hiddenSize());
        model.addProperty("layers", s.layers());
        model.add("dropout", JsonFields.toJson(s.dropout()));
        root.add("model", model);

        JsonObject vocab = new JsonObject();
        JsonArray codePoints = new JsonArray();
        JsonArray characters = new JsonArray();
        for (int cp : m.vocabulary().codePoints()) {
            codePoints.add(cp);
            characters.add(new String(Character.toChars(cp)));
        }
        vocab.add("code_points", codePoints);
        vocab.add("characters", characters);
        root.add("vocabulary", vocab);

        JsonObject cleaning = new JsonObject();
        cleaning.addProperty("drop_lines_containing", m.dropLinesContaining());
        cleaning.addProperty("keep_newlines", m.keepNewlines());
        cleaning.addProperty("unicode_normalization", m.unicodeNormalization());
        if (m.lines()) {
            cleaning.addProperty("lines", true);
        }
        root.add("cleaning", cleaning);
        if (m.items() != null) {
            root.add("items", itemsJson(m.items()));
        }

        JsonObject graphs = new JsonObject();
        graphs.add("step", graph(ModelPackage.MODEL_FILE, m.modelSha256(), m.opset(), "token", m.signature()));
        if (m.hasSequenceGraph()) {
            graphs.add(
                    "sequence",
                    graph(ModelPackage.SEQUENCE_FILE, m.sequenceSha256(), m.opset(), "tokens", m.sequenceSignature()));
        }
        root.add("graphs", graphs);
        Quantization quantization = m.quantization();
        if (quantization == null) {
            root.add("quantization", JsonNull.INSTANCE);
        } else {
            JsonObject q = new JsonObject();
            q.addProperty("method", quantization.method());
            q.addProperty("weights", quantization.weights());
            q.addProperty("activations", quantization.activations());
            q.addProperty("embedding", quantization.embedding());
            JsonArray ops = new JsonArray();
            quantization.operators().forEach(ops::add);
            q.add("operators", ops);
            q.addProperty("source_sha256", quantization.sourceSha256());
            root.add("quantization", q);
        }

        Provenance p = m.provenance();
        JsonObject prov = new JsonObject();
        prov.addProperty("producer", p.producer());
        prov.addProperty("created_at", p.createdAt());
        prov.addProperty("iterations", p.iterations());
        JsonObject corpus = new JsonObject();
        corpus.addProperty("name", p.corpusName());
        corpus.addProperty("sha256", p.corpusSha256());
        corpus.addProperty("characters", p.corpusCharacters());
        prov.add("corpus", corpus);
        JsonObject val = new JsonObject();
        val.addProperty("nats_per_char", p.valLoss());
        val.addProperty("bits_per_char", p.valBitsPerChar());
        val.addProperty("held_out_fraction", p.valFraction());
        val.addProperty("window", p.valWindow());
        prov.add("validation", val);
        root.add("provenance", prov);

        JsonElement training = m.training().isEmpty() ? JsonNull.INSTANCE : JsonFields.toJson(m.training());
        root.add("training", training);
        return GSON.toJson(root) + "\n";
    }
}
