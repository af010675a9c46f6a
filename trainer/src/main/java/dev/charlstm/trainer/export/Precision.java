package dev.charlstm.trainer.export;

import dev.charlstm.runtime.pack.Quantization;

/** What an exported package's graphs compute with. */
public enum Precision {
    /** float32 weights and arithmetic: ONNX {@code LSTM} and {@code Gemm}/{@code MatMul}. */
    FLOAT32(null),
    /**
     * int8 weights (symmetric, per output channel) and activations quantized with constant scales, products summed
     * in int32: each row's result is exact whatever else is in its batch ({@link Quantization#STATIC_INT8}).
     */
    INT8(Quantization.STATIC_INT8),
    /**
     * The int8 scheme of earlier packages ({@link Quantization#DYNAMIC_INT8}): activations quantized per graph call
     * by {@code com.microsoft.DynamicQuantizeLSTM} and {@code DynamicQuantizeMatMul}, so a row depends on its batch.
     * Written only to compare against it; {@link #INT8} replaces it.
     */
    @Deprecated
    INT8_DYNAMIC(Quantization.DYNAMIC_INT8);

    private final String method;

    Precision(String method) {
        this.method = method;
    }

    /** @return the manifest's {@code quantization.method} for this precision, null for float32 */
    public String method() {
        return method;
    }
}
