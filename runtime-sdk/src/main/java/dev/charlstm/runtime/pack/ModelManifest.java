package dev.charlstm.runtime.pack;

import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import java.text.Normalizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole description of a model package, as its manifest {@code vocab.json} records it (format versions 1 to
 * 3, see {@code docs/model-package.md}): the model's shape, its vocabulary, how its training text was cleaned, the
 * single-step graph's signature and digest, where the model came from and how it was trained.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class ModelManifest {

    private final ModelShape shape;
    private final Vocabulary vocabulary;
    private final GraphSignature signature;
    private final int opset;
    private final String modelSha256;
    /** The one Unicode normal form charlstm trains on: canonical composition. */
    public static final String NFC = "NFC";

    private final String dropLinesContaining;
    private final boolean keepNewlines;
    private final String unicodeNormalization;
    private final boolean lines;
    private final LineItems items;
    private final Provenance provenance;
    private final Map<String, Object> training;
    private final GraphSignature sequenceSignature;
    private final String sequenceSha256;
    private final Quantization quantization;

    private ModelManifest(Builder b) {
        this.vocabulary = Objects.requireNonNull(b.vocabulary, "vocabulary");
        ModelShape s = Objects.requireNonNull(b.shape, "model shape");
        if (s.vocabSize() == 0) {
            s = s.withVocabSize(vocabulary.size());
        } else if (s.vocabSize() != vocabulary.size()) {
            throw new IllegalArgumentException(
                    "the vocabulary has " + vocabulary.size() + " entries but model.vocab_size is " + s.vocabSize());
        }
        this.shape = s;
        this.signature = Objects.requireNonNull(b.signature, "graph signature");
        if (b.opset <= 0) {
            throw new IllegalArgumentException("opset must be positive, got " + b.opset);
        }
        this.opset = b.opset;
        this.modelSha256 = b.modelSha256;
        this.dropLinesContaining = b.dropLinesContaining;
        this.keepNewlines = b.keepNewlines;
        this.unicodeNormalization = b.unicodeNormalization;
        this.lines = b.lines;
        this.items = b.items;
        if (lines && keepNewlines) {
            throw new IllegalArgumentException("cleaning.lines and cleaning.keep_newlines exclude each other");
        }
        if (lines && !vocabulary.contains('\n')) {
            throw new IllegalArgumentException(
                    "cleaning.lines is true but the vocabulary lacks the end-of-item symbol" + " U+000A (line feed)");
        }
        if (items != null && !lines) {
            throw new IllegalArgumentException("items describes a list, but cleaning.lines is not true");
        }
        this.provenance = b.provenance == null ? Provenance.UNKNOWN : b.provenance;
        this.training = deepUnmodifiable(b.training);
        this.sequenceSignature = b.sequenceSignature;
        this.sequenceSha256 = b.sequenceSignature == null ? null : b.sequenceSha256;
        this.quantization = b.quantization;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepUnmodifiable(Map<String, ?> m) {
        if (m == null) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(k, v instanceof Map ? deepUnmodifiable((Map<String, ?>) v) : plain(v)));
        return Collections.unmodifiableMap(copy);
    }

    /** Numbers as a manifest reads them back: integers as Long, reals as Double (a float by its shortest decimal). */
    private static Object plain(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        return v instanceof Float f ? (Object) Double.parseDouble(Float.toString(f)) : v;
    }

    /** @return a builder with the default graph signature */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this description */
    public Builder toBuilder() {
        return new Builder()
                .shape(shape)
                .vocabulary(vocabulary)
                .signature(signature)
                .opset(opset)
                .modelSha256(modelSha256)
                .cleaning(dropLinesContaining, keepNewlines)
                .unicodeNormalization(unicodeNormalization)
                .lines(lines)
                .items(items)
                .provenance(provenance)
                .training(training)
                .sequence(sequenceSignature, sequenceSha256)
                .quantization(quantization);
    }

    /** @return the model's shape (V, E, H, L, dropout) */
    public ModelShape shape() {
        return shape;
    }

    /** @return the vocabulary; a token id is an index into it */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** @return the single-step graph's input and output names */
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

    /**
     * @return {@link #NFC} when the corpus was normalised to Unicode's composed form before training, so prompts,
     *     stop sequences and evaluated text are normalised the same way (a typed "é" and "e" + U+0301 are one
     *     character to the model); null for packages trained before charlstm normalised text, which see text as
     *     given
     */
    public String unicodeNormalization() {
        return unicodeNormalization;
    }

    /**
     * @return the cleaning the training text went through (dropped lines, line breaks, NFC), to apply to raw text
     *     before the model reads it: {@code textCleaning().clean(chapter)} for {@code evaluate},
     *     {@code cleanPrompt(text)} for a prompt (or {@code GenerationOptions.cleanPrompt(true)})
     */
    public TextCleaning textCleaning() {
        return TextCleaning.builder()
                .dropLinesContaining(dropLinesContaining)
                .keepNewlines(keepNewlines)
                .lines(lines)
                .normalizeNfc(NFC.equals(unicodeNormalization))
                .build();
    }

    /**
     * @return whether the model was trained on a list, one item per line ({@code charlstm train --lines}): each item
     *     from the zero state after a {@code '\n'}, ended by a {@code '\n'} (format version 3)
     */
    public boolean lines() {
        return lines;
    }

    /**
     * @return what the package knows of its training and held-out items (split, longest item, membership), or null
     *     when it was not trained on a list
     */
    public LineItems items() {
        return items;
    }

    /**
     * @param text any text
     * @return the text in the form the model was trained on: NFC for a package that records it, else unchanged
     */
    public CharSequence normalize(CharSequence text) {
        return NFC.equals(unicodeNormalization) && !Normalizer.isNormalized(text, Normalizer.Form.NFC)
                ? Normalizer.normalize(text, Normalizer.Form.NFC)
                : text;
    }

    /** @return where the model came from and how well it did */
    public Provenance provenance() {
        return provenance;
    }

    /**
     * The training configuration, as recorded: sections ({@code data}, {@code optimisation}, {@code schedule},
     * {@code evaluation}) of snake_case keys, values {@link Long}, {@link Double}, {@link String} or {@link Boolean}
     * (the keys are listed in {@code docs/model-package.md}). The model section is {@link #shape()}. A version 1
     * manifest's flat record is read into the same sections.
     *
     * @return the configuration (unmodifiable; empty for a package made by another tool)
     */
    public Map<String, Object> training() {
        return training;
    }

    /** @return the sequence graph's input and output names, or null if the package has no sequence graph */
    public GraphSignature sequenceSignature() {
        return sequenceSignature;
    }

    /** @return whether the package holds a sequence graph ({@code sequence.onnx}) */
    public boolean hasSequenceGraph() {
        return sequenceSignature != null;
    }

    /** @return SHA-256 of {@code sequence.onnx}, hex, or null */
    public String sequenceSha256() {
        return sequenceSha256;
    }

    /** @return how the graphs are quantized, or null for float32 */
    public Quantization quantization() {
        return quantization;
    }

    /**
     * @return whether a row's logits and state are bit-identical whatever other rows share its graph calls: true for
     *     float32 and static-int8, false for the earlier dynamic-int8
     */
    public boolean batchInvariant() {
        return quantization == null || quantization.rowExact();
    }

    /** @return "float32" or the quantization method, e.g. "dynamic-int8" */
    public String precision() {
        return quantization == null ? "float32" : quantization.method();
    }

    @Override
    public String toString() {
        return shape.toString() + (quantization == null ? "" : " " + quantization.method());
    }

    /** Builds {@link ModelManifest}. Not thread-safe. */
    public static final class Builder {
        private ModelShape shape;
        private Vocabulary vocabulary;
        private GraphSignature signature = GraphSignature.STEP;
        private int opset;
        private String modelSha256;
        private String dropLinesContaining;
        private boolean keepNewlines;
        private String unicodeNormalization;
        private boolean lines;
        private LineItems items;
        private Provenance provenance;
        private Map<String, ?> training;
        private GraphSignature sequenceSignature;
        private String sequenceSha256;
        private Quantization quantization;

        private Builder() {}

        /**
         * @param names the sequence graph's input and output names, or null for a package without one
         * @param sha256 SHA-256 of sequence.onnx, hex (replaced when the package is assembled or read)
         * @return this builder
         */
        public Builder sequence(GraphSignature names, String sha256) {
            sequenceSignature = names;
            sequenceSha256 = sha256;
            return this;
        }

        /** @return whether the description so far is of a list ({@code lines} or items set) */
        boolean describesList() {
            return lines || items != null;
        }

        /** @return whether a sequence graph is named so far */
        boolean namesSequence() {
            return sequenceSignature != null;
        }

        /**
         *
         * @param v how the graphs are quantized, or null for float32
         *
         * @return this builder
         *
         */
        public Builder quantization(Quantization v) {
            quantization = v;
            return this;
        }

        /**
         *
         * @param v the shape; a V of 0 is taken from the vocabulary
         *
         * @return this builder
         *
         */
        public Builder shape(ModelShape v) {
            shape = v;
            return this;
        }

        /**
         *
         * @param v the vocabulary
         *
         * @return this builder
         *
         */
        public Builder vocabulary(Vocabulary v) {
            vocabulary = v;
            return this;
        }

        /**
         *
         * @param v input and output names
         *
         * @return this builder
         *
         */
        public Builder signature(GraphSignature v) {
            signature = v;
            return this;
        }

        /**
         *
         * @param v the graph's opset
         *
         * @return this builder
         *
         */
        public Builder opset(int v) {
            opset = v;
            return this;
        }

        /**
         *
         * @param v SHA-256 of model.onnx, hex
         *
         * @return this builder
         *
         */
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

        /**
         * @param v whether the model was trained on a list, one item per line
         * @return this builder
         */
        public Builder lines(boolean v) {
            lines = v;
            return this;
        }

        /**
         * @param v the list's items (split and membership), or null
         * @return this builder
         */
        public Builder items(LineItems v) {
            items = v;
            return this;
        }

        /**
         * @param v {@link #NFC}, or null for text as given (packages trained before normalisation)
         * @return this builder
         * @throws IllegalArgumentException for any other form
         */
        public Builder unicodeNormalization(String v) {
            if (v != null && !NFC.equals(v)) {
                throw new IllegalArgumentException(
                        "cleaning.unicode_normalization must be \"" + NFC + "\" or null," + " got \"" + v + "\"");
            }
            unicodeNormalization = v;
            return this;
        }

        /**
         *
         * @param v provenance
         *
         * @return this builder
         *
         */
        public Builder provenance(Provenance v) {
            provenance = v;
            return this;
        }

        /**
         *
         * @param v the training configuration's sections (see {@link ModelManifest#training()})
         *
         * @return this builder
         *
         */
        public Builder training(Map<String, ?> v) {
            training = v;
            return this;
        }

        /**
         * @return the description
         * @throws IllegalArgumentException if the vocabulary disagrees with the shape, the opset is not positive, or
         *     a required part is missing
         */
        public ModelManifest build() {
            return new ModelManifest(this);
        }
    }
}
