package dev.charlstm.trainer.export;

import ai.djl.ndarray.NDManager;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.Provenance;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.model.CharLstm;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Turns a training checkpoint into a model package ({@code model.onnx} + {@code vocab.json}), written atomically.
 * Stateless and thread-safe.
 */
public final class PackageExporter {

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
            CharLstm model = new CharLstm(meta.config().shape(meta.vocabulary().length));
            model.initialize(manager);
            checkpoint.loadParameters(model, manager);
            return ModelPackage.of(describe(meta), OnnxExporter.export(model));
        }
    }

    /** The manifest of a checkpoint's package: everything a user needs to trust a model they did not train. */
    static ModelManifest describe(CheckpointMetadata meta) {
        TrainingConfig config = meta.config();
        CheckpointMetadata.CorpusInfo corpus = meta.corpus();
        Provenance provenance = new Provenance("charlstm " + OnnxExporter.PRODUCER_VERSION, Instant.now().toString(),
                corpus == null ? null : corpusName(corpus.source()), corpus == null ? null : corpus.sha256(),
                corpus == null ? null : corpus.characters(), meta.iteration(), meta.metrics().valLoss(),
                config.data().validationFraction(), config.data().seqLen());
        Map<String, Map<String, Object>> training = config.toSections();
        training.remove("model"); // the manifest's model section is the shape
        return ModelManifest.builder()
                .shape(config.shape(meta.vocabulary().length))
                .vocabulary(Vocabulary.of(meta.vocabulary()))
                .opset(OnnxExporter.OPSET)
                .cleaning(meta.cleaning().dropLinesContaining(), meta.cleaning().keepNewlines())
                .provenance(provenance)
                .training(training)
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
