package dev.charlstm.trainer.export;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.charlstm.runtime.pack.ModelInfo;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.Provenance;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.model.CharLstm;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Turns a training checkpoint into a model package ({@code model.onnx} + {@code vocab.json}), written atomically.
 * Stateless and thread-safe.
 */
public final class PackageExporter {

    private static final Gson GSON = new Gson();

    private PackageExporter() {}

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint the checkpoint
     * @param out the package folder to create (an existing package there is replaced)
     * @return the package written
     */
    public static ModelPackage export(Checkpoint checkpoint, Path out) {
        ModelPackage pkg = build(checkpoint);
        pkg.write(out);
        return pkg;
    }

    /**
     * Builds the package of a checkpoint in memory.
     *
     * @param checkpoint the checkpoint
     * @return the package
     */
    public static ModelPackage build(Checkpoint checkpoint) {
        CheckpointMetadata meta = checkpoint.metadata();
        try (NDManager manager = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(meta.config.modelConfig(meta.vocabulary.length));
            model.initialize(manager);
            checkpoint.loadParameters(model, manager);
            return ModelPackage.of(describe(meta), OnnxExporter.export(model));
        }
    }

    static ModelInfo describe(CheckpointMetadata meta) {
        Map<String, Object> training = GSON.fromJson(GSON.toJson(meta.config),
                new TypeToken<Map<String, Object>>() {}.getType());
        Provenance provenance = new Provenance("charlstm " + OnnxExporter.PRODUCER_VERSION, Instant.now().toString(),
                meta.corpus == null ? null : corpusName(meta.corpus.source),
                meta.corpus == null ? null : meta.corpus.sha256,
                meta.corpus == null ? null : meta.corpus.characters,
                meta.iteration,
                meta.metrics == null ? null : meta.metrics.valLoss,
                training);
        return ModelInfo.builder()
                .vocabulary(dev.charlstm.runtime.Vocabulary.of(meta.vocabulary))
                .embeddingSize(meta.config.embeddingSize())
                .hiddenSize(meta.config.hiddenSize())
                .layers(meta.config.layers())
                .opset(OnnxExporter.OPSET)
                .cleaning(meta.cleaning.dropLinesContaining(), meta.cleaning.keepNewlines())
                .provenance(provenance)
                .build();
    }

    /**
     * The corpus's name as a shared model should carry it: the last element of the path it was read from
     * ({@code /home/ana/books/moby-dick/} becomes {@code moby-dick}), never a machine's folders. The checkpoint keeps
     * the full path; the digest identifies the text.
     */
    static String corpusName(String source) {
        String s = source.replace('\\', '/');
        while (s.endsWith("/") && s.length() > 1) {
            s = s.substring(0, s.length() - 1);
        }
        String name = s.substring(s.lastIndexOf('/') + 1);
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "corpus" : name;
    }
}
