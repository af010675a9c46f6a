package dev.charlstm.runtime.pack;

import java.util.List;

/**
 * How a package's graphs are quantized, as its manifest records it ({@code quantization}; null for float32). The
 * one method charlstm writes and reads is {@link #DYNAMIC_INT8}: int8 weights, symmetric per output channel (zero
 * point 0), with activations quantized to uint8 per tensor at run time, by ONNX Runtime's
 * {@code com.microsoft.DynamicQuantizeLSTM} and {@code DynamicQuantizeMatMul}; the embedding stays float32.
 *
 * <p>Because activations are quantized per tensor, a row's arithmetic depends a little (by rounding) on the other
 * rows of the same graph call: an int8 stream's text is reproducible alone and as the same batch, not across
 * different batch compositions. float32 packages have no such caveat.
 *
 * <p>Immutable and thread-safe.
 *
 * @param method the method, {@link #DYNAMIC_INT8}
 * @param sourceSha256 the SHA-256 of the float32 step graph it was quantized from (hex), or null if unknown
 */
public record Quantization(String method, String sourceSha256) {

    /** The method name of int8 weights with dynamically quantized activations. */
    public static final String DYNAMIC_INT8 = "dynamic-int8";
    /** The weight scheme of {@link #DYNAMIC_INT8}, as the manifest describes it. */
    public static final String WEIGHTS = "int8, symmetric, per output channel, zero point 0";
    /** The activation scheme of {@link #DYNAMIC_INT8}. */
    public static final String ACTIVATIONS = "uint8, asymmetric, per tensor, computed at run time";
    /** The operators an int8 graph uses for its LSTM layers and head. */
    public static final List<String> OPERATORS = List.of("com.microsoft.DynamicQuantizeLSTM",
            "com.microsoft.DynamicQuantizeMatMul");

    /**
     * @throws IllegalArgumentException if the method is not one this charlstm knows
     */
    public Quantization {
        if (!DYNAMIC_INT8.equals(method)) {
            throw new IllegalArgumentException("quantization method " + (method == null ? "missing" : "\"" + method
                    + "\"") + " is not supported (this charlstm reads float32 packages and \"" + DYNAMIC_INT8 + "\")");
        }
    }

    /**
     * @param sourceSha256 the float32 step graph's SHA-256
     * @return dynamic int8 quantization of that source
     */
    public static Quantization dynamicInt8(String sourceSha256) {
        return new Quantization(DYNAMIC_INT8, sourceSha256);
    }
}
