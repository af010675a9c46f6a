package dev.charlstm.trainer.export;

/** What an exported package's graphs compute with. */
public enum Precision {
    /** float32 weights and arithmetic: ONNX {@code LSTM} and {@code Gemm}/{@code MatMul}. */
    FLOAT32,
    /**
     * int8 weights (symmetric, per output channel) with activations quantized to uint8 at run time:
     * {@code com.microsoft.DynamicQuantizeLSTM} and {@code DynamicQuantizeMatMul}; the embedding stays float32.
     */
    INT8
}
