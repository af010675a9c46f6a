package dev.charlstm.trainer.export;

/**
 * A float matrix quantized to int8, symmetric and per output channel: {@code w[j][k] ≈ scale[j] · q[j][k]} with
 * {@code scale[j] = max_k |w[j][k]| / 127} and zero point 0, the values rounded half away from zero and kept in
 * [-127, 127] (never -128, so negating a value cannot overflow). The values are stored transposed, [in, out]
 * (column j of the stored matrix is output channel j), as {@code MatMulInteger} (static-int8) and the earlier
 * scheme's {@code com.microsoft.DynamicQuantizeLSTM} and {@code DynamicQuantizeMatMul} read their B operand.
 *
 * @param values int8 [in, out], row-major (or [out, in] when written in the float LSTM's layout, for tests)
 * @param scales [out]
 * @param out output channels
 * @param in input features
 */
record Int8Matrix(byte[] values, float[] scales, int out, int in) {

    /**
     * @param w row-major [out, in]: one row per output channel (ONNX LSTM's W and R, a Linear layer's weight)
     * @param out rows
     * @param in columns
     * @param transpose true for the operators' [in, out] layout; false keeps [out, in] (a control test's mistake)
     */
    static Int8Matrix quantize(float[] w, int out, int in, boolean transpose) {
        float[] scales = new float[out];
        byte[] q = new byte[out * in];
        for (int j = 0; j < out; j++) {
            float max = 0;
            for (int k = 0; k < in; k++) {
                max = Math.max(max, Math.abs(w[j * in + k]));
            }
            // An all-zero channel quantizes to zeros with any scale; 1 keeps it finite and exact.
            float scale = max == 0 ? 1f : max / 127f;
            scales[j] = scale;
            for (int k = 0; k < in; k++) {
                long v = (long) Math.round(Math.abs(w[j * in + k]) / scale) * (w[j * in + k] < 0 ? -1 : 1);
                q[transpose ? k * out + j : j * in + k] = (byte) Math.max(-127, Math.min(127, v));
            }
        }
        return new Int8Matrix(q, scales, out, in);
    }

    /** @return the dequantized value of output channel j, input k (for tests and error estimates) */
    float dequantized(int j, int k) {
        return scales[j] * values[k * out + j];
    }
}
