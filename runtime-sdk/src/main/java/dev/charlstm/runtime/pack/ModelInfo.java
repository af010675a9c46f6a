package dev.charlstm.runtime.pack;

import dev.charlstm.runtime.Vocabulary;
import java.util.Objects;

/**
 * What a model package says about its model: vocabulary, dimensions, the graph's signature and digest, how its
 * training text was cleaned, and provenance. Read from {@code vocab.json}.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class ModelInfo {

    /** The only architecture of format version 1: Embedding(V, E) → LSTM(H, L) → Linear(H, V). */
    public static final String ARCHITECTURE = "embedding-lstm-linear";

    private final Vocabulary vocabulary;
    private final int embeddingSize;
    private final int hiddenSize;
    private final int layers;
    private final GraphSignature signature;
    private final int opset;
    private final String modelSha256;
    private final String dropLinesContaining;
    private final boolean keepNewlines;
    private final Provenance provenance;

    private ModelInfo(Builder b) {
        this.vocabulary = Objects.requireNonNull(b.vocabulary, "vocabulary");
        this.embeddingSize = positive("embedding size", b.embeddingSize);
        this.hiddenSize = positive("hidden size", b.hiddenSize);
        this.layers = positive("layers", b.layers);
        this.signature = Objects.requireNonNull(b.signature, "graph signature");
        this.opset = positive("opset", b.opset);
        this.modelSha256 = b.modelSha256;
        this.dropLinesContaining = b.dropLinesContaining;
        this.keepNewlines = b.keepNewlines;
        this.provenance = b.provenance == null
                ? new Provenance(null, null, null, null, null, null, null, null) : b.provenance;
    }

    private static int positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
        return v;
    }

    /** @return a builder with the default graph signature */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this description */
    public Builder toBuilder() {
        return new Builder().vocabulary(vocabulary).embeddingSize(embeddingSize).hiddenSize(hiddenSize)
                .layers(layers).signature(signature).opset(opset).modelSha256(modelSha256)
                .cleaning(dropLinesContaining, keepNewlines).provenance(provenance);
    }

    /** @return the vocabulary; a token id is an index into it */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** @return V */
    public int vocabSize() {
        return vocabulary.size();
    }

    /** @return E */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** @return H */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** @return L */
    public int layers() {
        return layers;
    }

    /** @return the graph's input and output names */
    public GraphSignature signature() {
        return signature;
    }

    /** @return the ONNX opset of the default domain the graph uses */
    public int opset() {
        return opset;
    }

    /** @return SHA-256 of {@code model.onnx}, lowercase hex (null only before a package is assembled) */
    public String modelSha256() {
        return modelSha256;
    }

    /** @return the corpus cleaning's dropped-line marker, or null */
    public String dropLinesContaining() {
        return dropLinesContaining;
    }

    /** @return whether the training text kept line breaks (otherwise a newline never appears in the vocabulary) */
    public boolean keepNewlines() {
        return keepNewlines;
    }

    /** @return where the model came from */
    public Provenance provenance() {
        return provenance;
    }

    @Override
    public String toString() {
        return "V" + vocabSize() + " E" + embeddingSize + " H" + hiddenSize + " L" + layers;
    }

    /** Builds {@link ModelInfo}. Not thread-safe. */
    public static final class Builder {
        private Vocabulary vocabulary;
        private int embeddingSize;
        private int hiddenSize;
        private int layers;
        private GraphSignature signature = GraphSignature.DEFAULT;
        private int opset;
        private String modelSha256;
        private String dropLinesContaining;
        private boolean keepNewlines;
        private Provenance provenance;

        private Builder() {}

        /** @param v the vocabulary @return this builder */
        public Builder vocabulary(Vocabulary v) {
            vocabulary = v;
            return this;
        }

        /** @param v E @return this builder */
        public Builder embeddingSize(int v) {
            embeddingSize = v;
            return this;
        }

        /** @param v H @return this builder */
        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        /** @param v L @return this builder */
        public Builder layers(int v) {
            layers = v;
            return this;
        }

        /** @param v input and output names @return this builder */
        public Builder signature(GraphSignature v) {
            signature = v;
            return this;
        }

        /** @param v the graph's opset @return this builder */
        public Builder opset(int v) {
            opset = v;
            return this;
        }

        /** @param v SHA-256 of model.onnx, hex @return this builder */
        public Builder modelSha256(String v) {
            modelSha256 = v;
            return this;
        }

        /**
         * @param dropLines the dropped-line marker, or null
         * @param keepLineBreaks whether line breaks were kept
         * @return this builder
         */
        public Builder cleaning(String dropLines, boolean keepLineBreaks) {
            dropLinesContaining = dropLines;
            keepNewlines = keepLineBreaks;
            return this;
        }

        /** @param v provenance @return this builder */
        public Builder provenance(Provenance v) {
            provenance = v;
            return this;
        }

        /**
         * @return the description
         * @throws IllegalArgumentException if a dimension is not positive or a required part is missing
         */
        public ModelInfo build() {
            return new ModelInfo(this);
        }
    }
}
