package dev.charlstm.trainer.export;

import ai.djl.nn.ParameterList;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.charlstm.runtime.pack.ModelShape;
import dev.charlstm.trainer.model.CharLstm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The float32 weights of a model in ONNX's layout, whatever they came from: a DJL {@link CharLstm} (a checkpoint)
 * or the step graph of a float32 package. Every graph the exporter writes, float32 or int8, is built from this.
 *
 * <p>Layouts (row-major): {@code embedding} [V, E]; per layer {@code w[l]} [4H, in] and {@code r[l]} [4H, H] with
 * the gate blocks in ONNX order i, o, f, c, and {@code b[l]} [8H] (input bias then recurrent bias, same order);
 * {@code headWeight} [V, H], {@code headBias} [V].
 *
 * <p>Immutable by contract: nobody writes the arrays after construction.
 *
 * @param shape the model's shape
 * @param embedding [V, E]
 * @param w per layer, [4H, in]
 * @param r per layer, [4H, H]
 * @param b per layer, [8H]
 * @param headWeight [V, H]
 * @param headBias [V]
 */
record LstmWeights(
        ModelShape shape,
        float[] embedding,
        float[][] w,
        float[][] r,
        float[][] b,
        float[] headWeight,
        float[] headBias) {

    /** ONNX gate block b (i, o, f, c) takes DJL gate block ONNX_FROM_DJL_GATE[b] (DJL order i, f, g, o). */
    static final int[] ONNX_FROM_DJL_GATE = {0, 3, 1, 2};

    LstmWeights {
        int v = shape.vocabSize();
        int e = shape.embeddingSize();
        int h = shape.hiddenSize();
        check("embedding", embedding, (long) v * e);
        check("head_weight", headWeight, (long) v * h);
        check("head_bias", headBias, v);
        for (int l = 0; l < shape.layers(); l++) {
            check("W_" + l, w[l], 4L * h * (l == 0 ? e : h));
            check("R_" + l, r[l], 4L * h * h);
            check("B_" + l, b[l], 8L * h);
        }
    }

    private static void check(String name, float[] a, long expected) {
        if (a.length != expected) {
            throw new IllegalArgumentException(name + " holds " + a.length + " values, the shape needs " + expected);
        }
    }

    /** The weights of a DJL model, gates reordered from DJL's i, f, g, o to ONNX's i, o, f, c. */
    static LstmWeights of(CharLstm model) {
        return of(model, ONNX_FROM_DJL_GATE);
    }

    /** With another gate mapping: only tests use it, to show that a wrong order is caught. */
    static LstmWeights of(CharLstm model, int[] gateMap) {
        ModelShape s = model.shape();
        int h = s.hiddenSize();
        ParameterList params = model.getParameters();
        float[][] w = new float[s.layers()][];
        float[][] r = new float[s.layers()][];
        float[][] b = new float[s.layers()][];
        for (int l = 0; l < s.layers(); l++) {
            int in = l == 0 ? s.embeddingSize() : h;
            String p = "01lstm_l_" + l + "_";
            w[l] = reorderGates(floats(params, p + "i2h_WEIGHT"), h, in, gateMap);
            r[l] = reorderGates(floats(params, p + "h2h_WEIGHT"), h, h, gateMap);
            b[l] = new float[8 * h];
            System.arraycopy(reorderGates(floats(params, p + "i2h_BIAS"), h, 1, gateMap), 0, b[l], 0, 4 * h);
            System.arraycopy(reorderGates(floats(params, p + "h2h_BIAS"), h, 1, gateMap), 0, b[l], 4 * h, 4 * h);
        }
        return new LstmWeights(
                s,
                floats(params, "embedding"),
                w,
                r,
                b,
                floats(params, "02head_weight"),
                floats(params, "02head_bias"));
    }

    private static float[] floats(ParameterList params, String name) {
        var p = params.get(name);
        if (p == null) {
            throw new IllegalStateException("the model has no parameter " + name);
        }
        return p.getArray().toFloatArray();
    }

    /**
     * Reorders the four gate blocks of a [4H, cols] row-major matrix (or a [4H] vector with cols = 1) from DJL's
     * i, f, g, o to ONNX's i, o, f, c.
     */
    static float[] reorderGates(float[] djl, int h, int cols, int[] gateMap) {
        float[] onnx = new float[djl.length];
        int block = h * cols;
        for (int g = 0; g < 4; g++) {
            System.arraycopy(djl, gateMap[g] * block, onnx, g * block, block);
        }
        return onnx;
    }

    /**
     * Reads the weights back from a step graph written by charlstm's exporter (any package version): float32
     * ({@code embedding}, {@code W_l}, {@code R_l}, {@code B_l}, {@code head_weight}, {@code head_bias}) or the
     * earlier dynamic-int8 scheme, whose int8 weights ({@code W_l_quantized} [1, in, 4H] with {@code W_l_scale}, the
     * same for R and {@code head_weight}) are dequantized, so such a package can be rewritten in the exact scheme.
     *
     * @param onnx the serialised step graph
     * @param shape the shape its manifest declares
     * @param source what to call the graph in messages
     * @throws IllegalArgumentException if the graph is not one charlstm wrote, is static-int8 (its weights were
     *     stacked and rescaled: rewrite it from its float32 source), or its weights do not have the declared shape
     */
    static LstmWeights fromStepGraph(byte[] onnx, ModelShape shape, String source) {
        GraphProto graph;
        try {
            graph = ModelProto.parseFrom(onnx).getGraph();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(source + ": not an ONNX model: " + e.getMessage(), e);
        }
        boolean dynamicInt8 = false;
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("DynamicQuantizeLSTM")) {
                dynamicInt8 = true;
            } else if (!n.getDomain().isEmpty()
                            && !n.getDomain().equals("ai.onnx")
                            && !n.getOpType().equals("DynamicQuantizeMatMul")
                    || n.getOpType().equals("QuantizeLinear")) {
                throw new IllegalArgumentException(source + ": already quantized (it holds "
                        + (n.getDomain().isEmpty() ? "" : n.getDomain() + ".") + n.getOpType()
                        + "); quantize its float32 source package or"
                        + " checkpoint instead");
            }
        }
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            init.put(t.getName(), t);
        }
        checkShape(graph, init, shape, dynamicInt8, source);
        int l = shape.layers();
        int h = shape.hiddenSize();
        float[][] w = new float[l][];
        float[][] r = new float[l][];
        float[][] b = new float[l][];
        for (int k = 0; k < l; k++) {
            int in = k == 0 ? shape.embeddingSize() : h;
            w[k] = dynamicInt8 ? dequantized(init, "W_" + k, 4 * h, in, source) : floats(init, "W_" + k, source);
            r[k] = dynamicInt8 ? dequantized(init, "R_" + k, 4 * h, h, source) : floats(init, "R_" + k, source);
            b[k] = floats(init, "B_" + k, source);
        }
        float[] embedding = floats(init, "embedding", source);
        float[] headWeight = dynamicInt8
                ? dequantized(init, "head_weight", shape.vocabSize(), h, source)
                : floats(init, "head_weight", source);
        float[] headBias = floats(init, "head_bias", source);
        try {
            return new LstmWeights(shape, embedding, w, r, b, headWeight, headBias);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    source + ": " + e.getMessage() + " (the graph does not match its" + " manifest's model section)",
                    e);
        }
    }

    /**
     * Names what the graph is when it is not the step graph of the manifest's model: a sequence graph, or the step
     * graph of a model of another shape (read from its initializers), as loading it for generation would.
     */
    private static void checkShape(
            GraphProto graph, Map<String, TensorProto> init, ModelShape shape, boolean dynamicInt8, String source) {
        List<String> inputs =
                graph.getInputList().stream().map(i -> i.getName()).toList();
        if (inputs.contains("tokens")) {
            throw new IllegalArgumentException(source + ": is a sequence graph (inputs " + inputs + "), not the step"
                    + " graph (inputs token, h, c) that model.onnx must hold");
        }
        TensorProto embedding = init.get("embedding");
        TensorProto recurrent = init.get(dynamicInt8 ? "R_0_quantized" : "R_0");
        if (embedding == null || embedding.getDimsCount() != 2 || recurrent == null) {
            return; // not charlstm's layout: the initializer reads below name what is missing
        }
        int layers = 0;
        while (init.containsKey((dynamicInt8 ? "R_" + layers + "_quantized" : "R_" + layers))) {
            layers++;
        }
        long v = embedding.getDims(0);
        long e = embedding.getDims(1);
        // float32 R [1, 4H, H]; dynamic-int8 R transposed, [1, H, 4H]
        long h = dynamicInt8 ? recurrent.getDims(1) : recurrent.getDims(recurrent.getDimsCount() - 1);
        if (v != shape.vocabSize()
                || e != shape.embeddingSize()
                || h != shape.hiddenSize()
                || layers != shape.layers()) {
            throw new IllegalArgumentException(source + ": holds the weights of a V" + v + " E" + e + " H" + h + " L"
                    + layers + " model, but vocab.json describes " + shape + " (V, E, H and L must match the graph:"
                    + " a model.onnx from another package?)");
        }
    }

    /**
     * A dynamic-int8 matrix as float [out, in]: {@code NAME_quantized} holds int8 [in, out] (with a leading 1 for
     * the LSTM's), {@code NAME_scale} the per-output-channel scales.
     */
    private static float[] dequantized(Map<String, TensorProto> init, String name, int out, int in, String source) {
        TensorProto q = init.get(name + "_quantized");
        if (q == null
                || q.getDataType() != TensorProto.DataType.INT8_VALUE
                || q.getRawData().size() != out * in) {
            throw new IllegalArgumentException(source + ": has no int8 initializer " + name + "_quantized of "
                    + out * in + " values (not a graph charlstm's exporter wrote, or not of its manifest's shape)");
        }
        float[] scales = floats(init, name + "_scale", source);
        if (scales.length != out) {
            throw new IllegalArgumentException(
                    source + ": " + name + "_scale holds " + scales.length + " values, the shape needs " + out);
        }
        byte[] values = q.getRawData().toByteArray();
        float[] a = new float[out * in];
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < in; k++) {
                a[j * in + k] = scales[j] * values[k * out + j];
            }
        }
        return a;
    }

    private static float[] floats(Map<String, TensorProto> init, String name, String source) {
        TensorProto t = init.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    source + ": has no initializer " + name + " (not a graph charlstm's" + " exporter wrote)");
        }
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException(
                    source + ": initializer " + name + " is not float32 (data type " + t.getDataType() + ")");
        }
        if (!t.getRawData().isEmpty()) {
            float[] a = new float[t.getRawData().size() / Float.BYTES];
            ByteBuffer.wrap(t.getRawData().toByteArray())
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(a);
            return a;
        }
        float[] a = new float[t.getFloatDataCount()];
        for (int i = 0; i < a.length; i++) {
            a[i] = t.getFloatData(i);
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LstmWeights x
                && shape.equals(x.shape)
                && Arrays.equals(embedding, x.embedding)
                && Arrays.deepEquals(w, x.w)
                && Arrays.deepEquals(r, x.r)
                && Arrays.deepEquals(b, x.b)
                && Arrays.equals(headWeight, x.headWeight)
                && Arrays.equals(headBias, x.headBias);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(headBias);
    }

    @Override
    public String toString() {
        return "LstmWeights" + shape;
    }
}
