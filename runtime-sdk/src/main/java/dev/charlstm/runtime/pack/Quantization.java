package dev.charlstm.runtime.pack;

import java.util.List;

/**
 * How a package's graphs are quantized, as its manifest records it ({@code quantization}; null for float32).
 *
 * <p>{@link #STATIC_INT8}, what charlstm writes: int8 weights, symmetric per output channel; every activation that
 * meets them quantized with a constant scale (the hidden state, inside (-1, 1), as round(h · 63); the embedding
 * table once, at export); products summed in int32. A row's arithmetic depends on nothing but that row, so its
 * logits and state are bit-identical alone, in any batch, at any position, and after prompt priming or stepping:
 * a seed reproduces an int8 stream whatever else runs.
 *
 * <p>{@link #DYNAMIC_INT8}, what charlstm wrote before: ONNX Runtime's {@code DynamicQuantizeLSTM} and
 * {@code DynamicQuantizeMatMul} quantize activations per tensor, i.e. over all the rows of a graph call, so a row
 * depends (by rounding) on the rows it shares a call with. Still read; {@code charlstm export --package OLD
 * --quantize int8} rewrites such a package as static-int8 from its int8 weights (exporting from the float32 source
 * again is better where you have it: it rounds once, not twice).
 *
 * <p>Immutable and thread-safe.
 *
 * @param method {@link #STATIC_INT8} or {@link #DYNAMIC_INT8}
 * @param sourceSha256 the SHA-256 of the float32 step graph it was quantized from (hex), or null if unknown
 */
public record Quantization(String method, String sourceSha256) {

    /** int8 weights, activations at constant scales, int32 sums: exact per row. */
    public static final String STATIC_INT8 = "static-int8";
    /** int8 weights with activations quantized per graph call (packages written before static-int8). */
    public static final String DYNAMIC_INT8 = "dynamic-int8";

    /**
     * @throws IllegalArgumentException if the method is not one this charlstm knows
     */
    public Quantization {
        if (!STATIC_INT8.equals(method) && !DYNAMIC_INT8.equals(method)) {
            throw new IllegalArgumentException(
                    "quantization method " + (method == null ? "missing" : "\"" + method + "\"")
                            + " is not supported (this charlstm reads float32 packages, \"" + STATIC_INT8
                            + "\" and \"" + DYNAMIC_INT8 + "\")");
        }
    }

    /**
     * @param method {@link #STATIC_INT8} or {@link #DYNAMIC_INT8}
     * @param sourceSha256 the float32 step graph's SHA-256
     * @return that quantization of that source
     */
    public static Quantization of(String method, String sourceSha256) {
        return new Quantization(method, sourceSha256);
    }

    /** @return whether a row's results are independent of the other rows of its graph call (bit for bit) */
    public boolean rowExact() {
        return STATIC_INT8.equals(method);
    }

    /** @return the weight scheme, as the manifest describes it */
    public String weights() {
        return rowExact()
                ? "int8, symmetric, per output channel, zero point 0; each layer's W and R stacked into one" + " matrix"
                : "int8, symmetric, per output channel, zero point 0";
    }

    /** @return the activation scheme, as the manifest describes it */
    public String activations() {
        return rowExact()
                ? "uint8 in [1, 127], zero point 64, constant scales: hidden state 1/63, embedding"
                        + " max|e|/63; int32 accumulation"
                : "uint8, asymmetric, per tensor, computed at run time";
    }

    /** @return how the embedding is stored */
    public String embedding() {
        return rowExact() ? "uint8, zero point 64, one scale (max|e|/63)" : "float32";
    }

    /** @return the operators the int8 arithmetic runs on */
    public List<String> operators() {
        return rowExact()
                ? List.of("MatMulInteger", "QuantizeLinear")
                : List.of("com.microsoft.DynamicQuantizeLSTM", "com.microsoft.DynamicQuantizeMatMul");
    }
}
