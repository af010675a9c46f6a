package dev.charlstm.trainer.export;

import ai.djl.ndarray.NDManager;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.Provenance;
import dev.charlstm.runtime.pack.Quantization;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.model.CharLstm;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Turns a training checkpoint, or an earlier package, into a model package ({@code model.onnx},
 * {@code sequence.onnx} and {@code vocab.json}) in float32 or int8, written atomically.
 * Stateless and thread-safe.
 */
public final class PackageExporter {

    private PackageExporter() {}

    /**
     * Exports a checkpoint as a float32 package.
     *
     * @param checkpoint the checkpoint
     * @param out the package folder to create (an existing package there is replaced)
     * @return the package written
     */
    public static ModelPackage export(Checkpoint checkpoint, Path out) {
        return export(checkpoint, out, Precision.FLOAT32);
    }

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint the checkpoint
     * @param out the package folder to create (an existing package there is replaced)
     * @param precision float32, or int8 (quantized from the float32 graphs; the manifest records their digest)
     * @return the package written
     */
    public static ModelPackage export(Checkpoint checkpoint, Path out, Precision precision) {
        ModelPackage pkg = build(checkpoint, precision);
        pkg.write(out);
        return pkg;
    }

    /**
     * Builds the float32 package of a checkpoint in memory: step and sequence graphs.
     *
     * @param checkpoint the checkpoint
     * @return the package
     */
    public static ModelPackage build(Checkpoint checkpoint) {
        return build(checkpoint, Precision.FLOAT32);
    }

    /**
     * Builds the package of a checkpoint in memory.
     *
     * @param checkpoint the checkpoint
     * @param precision float32 or int8
     * @return the package
     */
    public static ModelPackage build(Checkpoint checkpoint, Precision precision) {
        CheckpointMetadata meta = checkpoint.metadata();
        LstmWeights weights;
        try (NDManager manager = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(meta.config().shape(meta.vocabulary().length));
            model.initialize(manager);
            checkpoint.loadParameters(model, manager);
            weights = LstmWeights.of(model);
        }
        return assemble(describe(meta), weights, precision, null);
    }

    /**
     * Re-exports a package: with both graphs, the current format (2, or 3 for a list), in the precision asked for. Its
     * description (vocabulary, cleaning, provenance, training) is kept. A float32 package can become float32 or
     * int8; a dynamic-int8 package (the earlier int8 scheme) can become static-int8, from its dequantized weights
     * (rounded a second time: export from the float32 source where you have it); a static-int8 package cannot be
     * converted.
     *
     * @param source a package written by charlstm (any format version)
     * @param precision the precision of the result
     * @return the package, in memory
     * @throws IllegalArgumentException if the conversion is not one of those, or the source's graph is not
     *     charlstm's
     */
    public static ModelPackage convert(ModelPackage source, Precision precision) {
        Quantization q = source.manifest().quantization();
        if (q != null && (q.rowExact() || precision != Precision.INT8)) {
            throw new IllegalArgumentException(source.source() + ": already quantized (" + q.method() + ")"
                    + (q.rowExact() ? "" : "; it can only be rewritten as int8 (--quantize int8)") + "; export from"
                    + " its float32 source package or checkpoint instead");
        }
        LstmWeights weights =
                LstmWeights.fromStepGraph(source.modelBytes(), source.manifest().shape(), source.modelSource());
        ModelManifest description = source.manifest().toBuilder()
                .signature(GraphSignature.STEP)
                .opset(OnnxExporter.OPSET)
                .quantization(null)
                .sequence(null, null)
                .build();
        return assemble(
                description,
                weights,
                precision,
                q != null ? q.sourceSha256() : source.manifest().modelSha256());
    }

    /**
     * The package of some weights: the float32 graphs, or the int8 graphs with their float32 source's digest.
     *
     * @param sourceSha256 the float32 model.onnx the weights come from, or null for the float32 step graph written
     *     here (which is exactly the model.onnx of the float32 package of the same checkpoint)
     */
    static ModelPackage assemble(
            ModelManifest description, LstmWeights weights, Precision precision, String sourceSha256) {
        OnnxExporter.Graphs fp32 = OnnxExporter.graphs(weights, Precision.FLOAT32);
        if (precision == Precision.FLOAT32) {
            return ModelPackage.of(description.toBuilder().quantization(null).build(), fp32.step(), fp32.sequence());
        }
        OnnxExporter.Graphs int8 = OnnxExporter.graphs(weights, precision);
        return ModelPackage.of(
                description.toBuilder()
                        .quantization(Quantization.of(
                                precision.method(), sourceSha256 != null ? sourceSha256 : Sha256.hex(fp32.step())))
                        .build(),
                int8.step(),
                int8.sequence());
    }

    /** The manifest of a checkpoint's package: everything a user needs to trust a model they did not train. */
    static ModelManifest describe(CheckpointMetadata meta) {
        TrainingConfig config = meta.config();
        CheckpointMetadata.CorpusInfo corpus = meta.corpus();
        Provenance provenance = new Provenance(
                "charlstm " + OnnxExporter.PRODUCER_VERSION,
                Instant.now().toString(),
                corpus == null ? null : corpusName(corpus.source()),
                corpus == null ? null : corpus.sha256(),
                corpus == null ? null : corpus.characters(),
                meta.iteration(),
                meta.metrics().valLoss(),
                config.data().validationFraction(),
                // a list's validation has no window: each held-out item is its own
                meta.cleaning().lines() ? null : config.data().seqLen());
        Map<String, Map<String, Object>> training = config.toSections();
        training.remove("model"); // the manifest's model section is the shape
        return ModelManifest.builder()
                .shape(config.shape(meta.vocabulary().length))
                .vocabulary(Vocabulary.of(meta.vocabulary()))
                .opset(OnnxExporter.OPSET)
                .cleaning(meta.cleaning().dropLinesContaining(), meta.cleaning().keepNewlines())
                .lines(meta.cleaning().lines())
                .items(meta.items())
                .unicodeNormalization(meta.cleaning().normalizeNfc() ? ModelManifest.NFC : null)
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
