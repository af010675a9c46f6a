package dev.charlstm.runtime.pack;

/**
 * The shape of a character LSTM, the one description every part of charlstm shares (the trainer's DJL block and
 * configuration, the ONNX exporter, the package manifest, the runtime and the CLI): Embedding(V, E) → LSTM(H, L
 * layers, dropout between layers while training) → Linear(H, V).
 *
 * <p>V is 0 only in a training configuration, before it meets the corpus that decides it ({@link #withVocabSize});
 * a model or a package always has V &gt; 0 ({@link #requireVocabSize}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param vocabSize V, the number of characters; 0 = not known yet (a training configuration)
 * @param embeddingSize E
 * @param hiddenSize H
 * @param layers L, stacked LSTM layers
 * @param dropout dropout between LSTM layers while training, in [0, 1); 0 when unknown (an old package)
 */
public record ModelShape(int vocabSize, int embeddingSize, int hiddenSize, int layers, float dropout) {

    /** The only architecture: Embedding(V, E) → LSTM(H, L) → Linear(H, V). */
    public static final String ARCHITECTURE = "embedding-lstm-linear";

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming the first value out of range, e.g. "hidden size must be positive, got 0"
     */
    public ModelShape {
        if (vocabSize < 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        positive("embedding size", embeddingSize);
        positive("hidden size", hiddenSize);
        positive("layers", layers);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }

    /**
     * @param v V
     * @return this shape with V set
     * @throws IllegalArgumentException if {@code v} is not positive
     */
    public ModelShape withVocabSize(int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + v);
        }
        return new ModelShape(v, embeddingSize, hiddenSize, layers, dropout);
    }

    /**
     * @return this shape
     * @throws IllegalStateException if V is not known yet
     */
    public ModelShape requireVocabSize() {
        if (vocabSize == 0) {
            throw new IllegalStateException("the model shape " + this + " has no vocabulary size yet");
        }
        return this;
    }

    /** @return the number of trainable parameters (V must be known) */
    public long parameterCount() {
        requireVocabSize();
        long n = (long) vocabSize * embeddingSize;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? embeddingSize : hiddenSize;
            n += 4L * hiddenSize * (in + hiddenSize) + 8L * hiddenSize;
        }
        return n + (long) hiddenSize * vocabSize + vocabSize;
    }

    /** @return e.g. {@code V80 E128 H256 L2 dropout 0.2} (V omitted while unknown, dropout while 0) */
    @Override
    public String toString() {
        return (vocabSize > 0 ? "V" + vocabSize + " " : "") + "E" + embeddingSize + " H" + hiddenSize + " L" + layers
                + (dropout > 0 ? " dropout " + dropout : "");
    }
}
