package dev.charlstm.runtime.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the training configuration as charlstm wrote it before manifest format 2 and checkpoint format 2: one flat
 * object of Java field names ({@code "embeddingSize": 128.0, "schedule": "COSINE", ...}), made by reflection. This
 * is the frozen list of those names and where each lives now ({@code model.embedding_size}, {@code schedule.kind},
 * ...): the one reader of the old form, for version 1 manifests (runtime) and version 1 checkpoints (trainer).
 * Stateless and thread-safe.
 */
public final class LegacyTraining {

    private LegacyTraining() {}

    /** Old name → new "section.key", and whether the value is an integer (version 1 manifests wrote 128.0). */
    private static final String[][] NAMES = {
        {"embeddingSize", "model.embedding_size", "int"},
        {"hiddenSize", "model.hidden_size", "int"},
        {"layers", "model.layers", "int"},
        {"dropout", "model.dropout", "real"},
        {"batchSize", "data.batch_size", "int"},
        {"seqLen", "data.seq_len", "int"},
        {"validationFraction", "data.validation_fraction", "real"},
        {"seed", "data.seed", "int"},
        {"learningRate", "optimisation.learning_rate", "real"},
        {"weightDecay", "optimisation.weight_decay", "real"},
        {"gradClip", "optimisation.grad_clip", "real"},
        {"iterations", "schedule.iterations", "int"},
        {"schedule", "schedule.kind", "lower"},
        {"warmupIterations", "schedule.warmup_iterations", "int"},
        {"finalLearningRateFraction", "schedule.final_learning_rate_fraction", "real"},
        {"evalInterval", "evaluation.interval", "int"},
        {"samplePrompt", "evaluation.sample_prompt", "text"},
        {"sampleLength", "evaluation.sample_length", "int"},
    };

    /**
     * @param flat the old flat object as plain values ({@link JsonFields#toJava})
     * @param path where the object is, for messages: {@code provenance.training.} or {@code config.}
     * @return the same values in the sections of format 2 ({@code model}, {@code data}, {@code optimisation},
     *     {@code schedule}, {@code evaluation}), integers as {@link Long}; names this list does not know are dropped
     * @throws IllegalArgumentException if a value has the wrong type, naming it
     */
    public static Map<String, Map<String, Object>> sections(Map<String, Object> flat, String path) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String[] n : NAMES) {
            if (!flat.containsKey(n[0]) || flat.get(n[0]) == null) {
                continue;
            }
            Object v = flat.get(n[0]);
            Object converted = switch (n[2]) {
                case "int" ->
                    v instanceof Long || v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p62
                            ? (Object) ((Number) v).longValue()
                            : null;
                case "real" ->
                    v instanceof Number x && Double.isFinite(x.doubleValue()) ? (Object) x.doubleValue() : null;
                case "lower" -> v instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
                default -> v instanceof String ? v : null;
            };
            if (converted == null) {
                throw new IllegalArgumentException("a field has the wrong type: " + path + n[0] + " must be "
                        + switch (n[2]) {
                            case "int" -> "an integer";
                            case "real" -> "a finite number";
                            default -> "a string";
                        }
                        + ", got "
                        + JsonFields.toJson(v instanceof Double d && !Double.isFinite(d) ? v.toString() : v));
            }
            int dot = n[1].indexOf('.');
            out.computeIfAbsent(n[1].substring(0, dot), k -> new LinkedHashMap<>())
                    .put(n[1].substring(dot + 1), converted);
        }
        return out;
    }
}
