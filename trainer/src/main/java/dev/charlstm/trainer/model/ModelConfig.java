package dev.charlstm.trainer.model;

import java.util.Objects;

/**
 * The shape of a character LSTM: Embedding(V, E) → LSTM(H, L layers) → Linear(H, V).
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelConfig {

    private final int vocabSize;
    private final int embeddingSize;
    private final int hiddenSize;
    private final int layers;
    private final float dropout;

    /**
     * @param vocabSize V, the number of characters
     * @param embeddingSize E
     * @param hiddenSize H
     * @param layers L, stacked LSTM layers
     * @param dropout dropout between LSTM layers while training, in [0, 1)
     */
    public ModelConfig(int vocabSize, int embeddingSize, int hiddenSize, int layers, float dropout) {
        require(vocabSize > 0, "vocabulary size", vocabSize);
        require(embeddingSize > 0, "embedding size", embeddingSize);
        require(hiddenSize > 0, "hidden size", hiddenSize);
        require(layers > 0, "layers", layers);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        this.vocabSize = vocabSize;
        this.embeddingSize = embeddingSize;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.dropout = dropout;
    }

    private static void require(boolean ok, String what, int value) {
        if (!ok) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    /** @return V */
    public int vocabSize() {
        return vocabSize;
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

    /** @return dropout between LSTM layers while training */
    public float dropout() {
        return dropout;
    }

    /** @return the number of trainable parameters */
    public long parameterCount() {
        long n = (long) vocabSize * embeddingSize;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? embeddingSize : hiddenSize;
            n += 4L * hiddenSize * (in + hiddenSize) + 8L * hiddenSize;
        }
        return n + (long) hiddenSize * vocabSize + vocabSize;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModelConfig)) {
            return false;
        }
        ModelConfig m = (ModelConfig) o;
        return vocabSize == m.vocabSize && embeddingSize == m.embeddingSize && hiddenSize == m.hiddenSize
                && layers == m.layers && Float.compare(dropout, m.dropout) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(vocabSize, embeddingSize, hiddenSize, layers, dropout);
    }

    @Override
    public String toString() {
        return "V" + vocabSize + " E" + embeddingSize + " H" + hiddenSize + " L" + layers
                + (dropout > 0 ? " dropout " + dropout : "");
    }
}
