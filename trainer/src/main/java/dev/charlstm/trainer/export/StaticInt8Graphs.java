package dev.charlstm.trainer.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelShape;
import java.util.Arrays;

/**
 * The graphs of a {@code static-int8} package (see {@link dev.charlstm.runtime.pack.Quantization#STATIC_INT8}):
 * every activation that meets an int8 weight is quantized with a <em>constant</em> scale, so a row's arithmetic
 * never depends on another row, and every product is summed in int32, so it never depends on the batch, the
 * kernel's blocking or the order of accumulation either. The float work after each integer product is elementwise.
 * A row's logits and state are therefore bit-identical alone, in any batch, at any position, and after prefill or
 * stepping.
 *
 * <p>Why constant scales are enough: the LSTM's hidden state is {@code o · tanh(c)}, inside (-1, 1) by
 * construction, so it is quantized as {@code round(h · 63)} (scale 1/63, zero point 64, uint8 in [1, 127]); the
 * embedding is a table known at export, quantized once with one scale (max |e| / 63). Each layer is one integer GEMM
 * of the concatenated [x, h] activations by the stacked [W; R] weights, whose rows carry the activations' scales
 * before the columns are quantized per output channel ({@link Int8Matrix}: symmetric, max / 127). The head is one
 * integer GEMM of the top layer's quantized h.
 *
 * <p>Why 7-bit activations: {@code MatMulInteger} multiplies uint8 activations by int8 weights; on CPUs without
 * VNNI ONNX Runtime's kernels use {@code vpmaddubsw}, which adds products in pairs into int16 and saturates above
 * 32,767. With activations at most 127 and weights within [-127, 127] a pair is at most 32,258, so no kernel can
 * saturate and every sum is exact. (uint8 x uint8 with 8-bit activations was also exact, and 1.3-1.4x slower.)
 *
 * <p>Operators (all ONNX standard): {@code MatMulInteger} (int32 sums), {@code Cast}, {@code Mul}, {@code Add} (the
 * dequantization: per-column scale, bias), {@code QuantizeLinear}, and the LSTM cell written out: {@code Split},
 * {@code Sigmoid}, {@code Tanh}, {@code Mul}, {@code Add}. The sequence graph computes every step's input sums in one GEMM per layer
 * and runs the recurrence with {@code Scan}, whose body is the step graph's cell node for node, on the same shapes
 * ([1, batch, ...]). ({@code com.microsoft.MatMulIntegerToFloat}, which fuses the dequantization, measured about
 * 6 µs slower per call at batch 1 than {@code MatMulInteger}.)
 *
 * <p>Stateless and thread-safe.
 */
final class StaticInt8Graphs {

    /** The zero point of every uint8 activation (weights are int8 with zero point 0). */
    static final int ZERO_POINT = 64;
    /** The largest quantized activation magnitude: activations are in [1, 127] as uint8. */
    static final int ACTIVATION_MAX = 63;
    /** The hidden state's scale: h in (-1, 1) becomes round(h / (1/63)) + 64 in [1, 127]. */
    static final float HIDDEN_SCALE = 1f / ACTIVATION_MAX;

    private StaticInt8Graphs() {}

    /** The step graph; see {@link OnnxExporter} for its inputs and outputs. */
    static GraphProto step(LstmWeights weights) {
        ModelShape s = weights.shape();
        GraphSignature io = GraphSignature.STEP;
        OnnxGraphWriter g = new OnnxGraphWriter("charlstm_step");
        g.input(io.token(), TensorProto.DataType.INT64_VALUE, "batch");
        g.input(io.h(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        g.input(io.c(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        Constants k = constants(g, weights, true);
        String axis0 = g.longs("axis0", 0);
        // [batch] -> [1, batch] -> [1, batch, E]: every layer works on [1, batch, ...], as the Scan body does
        String token = g.node("Unsqueeze", new String[] {io.token(), axis0}, new String[] {"token_1"});
        String x = g.node("Gather", new String[] {k.embedding, token}, new String[] {"x_0"}, "axis", 0);
        String qh = g.node("QuantizeLinear", new String[] {io.h(), k.hiddenScale, k.zeroPoint}, new String[] {"qh"});
        String[] hs = split(g, qh, "qh", s.layers());
        String[] cs = split(g, io.c(), "c", s.layers());
        String[] hOut = new String[s.layers()];
        String[] cOut = new String[s.layers()];
        for (int l = 0; l < s.layers(); l++) {
            String[] hc = layer(g, k, l, x, hs[l], cs[l], "h_out_" + l, "c_out_" + l);
            hOut[l] = hc[0];
            cOut[l] = hc[1];
            x = g.node(
                    "QuantizeLinear", new String[] {hOut[l], k.hiddenScale, k.zeroPoint}, new String[] {"x_" + (l + 1)
                    });
        }
        String logits = head(g, k, x, "logits_1");
        g.node("Squeeze", new String[] {logits, axis0}, new String[] {io.logits()});
        g.node("Concat", hOut, new String[] {io.hOut()}, "axis", 0);
        g.node("Concat", cOut, new String[] {io.cOut()}, "axis", 0);
        g.output(io.logits(), TensorProto.DataType.FLOAT_VALUE, "batch", (long) s.vocabSize());
        states(g, io, s);
        return g.build();
    }

    /**
     * The sequence graph; see {@link OnnxExporter} for its inputs and outputs. Layer by layer: the input part of
     * every step's integer sums in one GEMM over all T ({@code x · M_l[:in]}), then a Scan over time whose body adds
     * the recurrent part ({@code qh · M_l[in:]}) and runs the cell. int32 addition is exact, so each step's sums are
     * the step graph's to the bit, and the float work after them is the same nodes on the same shapes.
     */
    static GraphProto sequence(LstmWeights weights) {
        ModelShape s = weights.shape();
        GraphSignature io = GraphSignature.SEQUENCE;
        OnnxGraphWriter g = new OnnxGraphWriter("charlstm_sequence");
        g.input(io.token(), TensorProto.DataType.INT64_VALUE, "time", "batch");
        g.input(io.h(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        g.input(io.c(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        Constants k = constants(g, weights, false);
        String axis1 = g.longs("axis1", 1);
        // [T, batch] -> [T, 1, batch] -> [T, 1, batch, E]: Scan slices [1, batch, ..], the step graph's shape
        String tokens = g.node("Unsqueeze", new String[] {io.token(), axis1}, new String[] {"tokens_1"});
        String x = g.node("Gather", new String[] {k.embedding, tokens}, new String[] {"x_0"}, "axis", 0);
        String[] hs = split(g, io.h(), "h", s.layers());
        String[] cs = split(g, io.c(), "c", s.layers());
        String[] hOut = new String[s.layers()];
        String[] cOut = new String[s.layers()];
        for (int l = 0; l < s.layers(); l++) {
            hOut[l] = "h_out_" + l;
            cOut[l] = "c_out_" + l;
            String inputSums = g.node(
                    "MatMulInteger", new String[] {x, k.mInput[l], k.zeroPoint}, new String[] {"l" + l + "_input_sums"
                    });
            g.node(
                    "Scan",
                    new String[] {hs[l], cs[l], inputSums},
                    new String[] {hOut[l], cOut[l], "y_" + l},
                    "body",
                    scanBody(k, l, s),
                    "num_scan_inputs",
                    1);
            x = g.node(
                    "QuantizeLinear", new String[] {"y_" + l, k.hiddenScale, k.zeroPoint}, new String[] {"x_" + (l + 1)
                    });
        }
        String logits = head(g, k, x, "logits_1");
        g.node("Squeeze", new String[] {logits, axis1}, new String[] {io.logits()});
        g.node("Concat", hOut, new String[] {io.hOut()}, "axis", 0);
        g.node("Concat", cOut, new String[] {io.cOut()}, "axis", 0);
        g.output(io.logits(), TensorProto.DataType.FLOAT_VALUE, "time", "batch", (long) s.vocabSize());
        states(g, io, s);
        return g.build();
    }

    /**
     * One step of layer l as a Scan body: (h, c [1, batch, H] float, the step's input sums [1, batch, 4H] int32)
     * -> (h', c', y = h').
     */
    private static GraphProto scanBody(Constants k, int l, ModelShape s) {
        OnnxGraphWriter b = new OnnxGraphWriter("layer_" + l + "_step");
        b.input("h", TensorProto.DataType.FLOAT_VALUE, 1L, "batch", (long) s.hiddenSize());
        b.input("c", TensorProto.DataType.FLOAT_VALUE, 1L, "batch", (long) s.hiddenSize());
        b.input("input_sums", TensorProto.DataType.INT32_VALUE, 1L, "batch", 4L * s.hiddenSize());
        String qh = b.node("QuantizeLinear", new String[] {"h", k.hiddenScale, k.zeroPoint}, new String[] {"qh"});
        String recurrent = b.node(
                "MatMulInteger", new String[] {qh, k.mRecurrent[l], k.zeroPoint}, new String[] {"recurrent_sums"});
        String sums = b.node("Add", new String[] {"input_sums", recurrent}, new String[] {"sums"});
        String[] hc = cell(b, k, l, sums, "c", "h_next", "c_next");
        b.node("Identity", new String[] {hc[0]}, new String[] {"y"});
        for (String out : new String[] {"h_next", "c_next", "y"}) {
            b.output(out, TensorProto.DataType.FLOAT_VALUE, 1L, "batch", (long) s.hiddenSize());
        }
        return b.build();
    }

    /** One LSTM layer's step on [1, batch, ...]: the integer sums of [x, qh] · M_l in one GEMM, then the cell. */
    private static String[] layer(
            OnnxGraphWriter g, Constants k, int l, String x, String qh, String c, String hNext, String cNext) {
        String a = g.node("Concat", new String[] {x, qh}, new String[] {"l" + l + "_a"}, "axis", 2);
        String sums = g.node("MatMulInteger", new String[] {a, k.m[l], k.zeroPoint}, new String[] {"l" + l + "_sums"});
        return cell(g, k, l, sums, c, hNext, cNext);
    }

    /**
     * The gates from a layer's int32 sums (dequantized per output column, plus the bias), then the cell in ONNX's
     * gate order i, o, f, c.
     *
     * @return {h', c'}
     */
    private static String[] cell(
            OnnxGraphWriter g, Constants k, int l, String sums, String c, String hNext, String cNext) {
        String p = "l" + l + "_";
        String gates = dequantized(g, sums, k.mScale[l], k.bias[l], p + "gates");
        g.node("Split", new String[] {gates, k.gateSplit}, new String[] {p + "iof_pre", p + "g_pre"}, "axis", 2);
        String iof = g.node("Sigmoid", new String[] {p + "iof_pre"}, new String[] {p + "iof"});
        g.node("Split", new String[] {iof}, new String[] {p + "i", p + "o", p + "f"}, "axis", 2);
        String cand = g.node("Tanh", new String[] {p + "g_pre"}, new String[] {p + "g"});
        String kept = g.node("Mul", new String[] {p + "f", c}, new String[] {p + "fc"});
        String added = g.node("Mul", new String[] {p + "i", cand}, new String[] {p + "ig"});
        g.node("Add", new String[] {kept, added}, new String[] {cNext});
        String squashed = g.node("Tanh", new String[] {cNext}, new String[] {p + "tanh_c"});
        g.node("Mul", new String[] {p + "o", squashed}, new String[] {hNext});
        return new String[] {hNext, cNext};
    }

    /**
     * float(sums) · scale + bias, elementwise: the one dequantization, in the step graph, the Scan and the head.
     * ({@code DequantizeLinear} of int32 with a per-column scale would be one node instead of Cast and Mul; it
     * measured 5x slower than both at batch 32: a scalar loop.)
     */
    private static String dequantized(OnnxGraphWriter g, String sums, String scale, String bias, String out) {
        String f = g.node(
                "Cast", new String[] {sums}, new String[] {out + "_sums"}, "to", TensorProto.DataType.FLOAT_VALUE);
        String scaled = g.node("Mul", new String[] {f, scale}, new String[] {out + "_scaled"});
        return g.node("Add", new String[] {scaled, bias}, new String[] {out});
    }

    /** The head: quantized top h [.., H] uint8 -> logits [.., V]. */
    private static String head(OnnxGraphWriter g, Constants k, String x, String out) {
        String sums = g.node("MatMulInteger", new String[] {x, k.head, k.zeroPoint}, new String[] {"head_sums"});
        return dequantized(g, sums, k.headScale, k.headBias, out);
    }

    /** Splits [L, ...] into L tensors [1, ...] (an Identity when L = 1). */
    private static String[] split(OnnxGraphWriter g, String x, String name, int layers) {
        String[] parts = new String[layers];
        for (int l = 0; l < layers; l++) {
            parts[l] = name + "_" + l;
        }
        if (layers == 1) {
            g.node("Identity", new String[] {x}, parts);
        } else {
            g.node("Split", new String[] {x}, parts, "axis", 0);
        }
        return parts;
    }

    private static void states(OnnxGraphWriter g, GraphSignature io, ModelShape s) {
        g.output(io.hOut(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        g.output(io.cOut(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
    }

    /** The names of the initializers both graphs share. */
    private record Constants(
            String embedding,
            String hiddenScale,
            String zeroPoint,
            String gateSplit,
            String[] m,
            String[] mInput,
            String[] mRecurrent,
            String[] mScale,
            String[] bias,
            String head,
            String headScale,
            String headBias) {}

    /**
     * @param whole true: each layer's whole M_l (the step graph); false: its input rows and recurrent rows apart
     *     (the sequence graph)
     */
    private static Constants constants(OnnxGraphWriter g, LstmWeights w, boolean whole) {
        ModelShape s = w.shape();
        int v = s.vocabSize();
        int e = s.embeddingSize();
        int h = s.hiddenSize();
        String zeroPoint = g.uint8s("zero_point", new byte[] {(byte) ZERO_POINT});
        String hiddenScale = g.floats("hidden_scale", new float[] {HIDDEN_SCALE});
        String gateSplit = g.longs("gate_split", 3L * h, h);
        // The embedding: one scale for the table, so a token's quantized row is a constant
        float embeddingScale = maxAbs(w.embedding()) / ACTIVATION_MAX;
        boolean embeddingIsZero = embeddingScale == 0;
        if (embeddingIsZero) {
            embeddingScale = 1f;
        }
        byte[] qe = new byte[v * e];
        for (int i = 0; i < qe.length; i++) {
            qe[i] = (byte) (Math.max(
                            -ACTIVATION_MAX, Math.min(ACTIVATION_MAX, Math.round(w.embedding()[i] / embeddingScale)))
                    + ZERO_POINT);
        }
        String embedding = g.uint8s("embedding_quantized", qe, v, e);
        String[] m = new String[s.layers()];
        String[] mInput = new String[s.layers()];
        String[] mRecurrent = new String[s.layers()];
        String[] mScale = new String[s.layers()];
        String[] bias = new String[s.layers()];
        for (int l = 0; l < s.layers(); l++) {
            int in = l == 0 ? e : h;
            // An all-zero embedding quantizes to zeros: its rows of M contribute nothing, so they must not set the
            // columns' scales (which would then quantize R coarsely)
            float inScale = l == 0 ? (embeddingIsZero ? 0f : embeddingScale) : HIDDEN_SCALE;
            // [4H, in + H]: row j is output channel j over the integer activations [x, h]
            float[] stacked = new float[4 * h * (in + h)];
            for (int j = 0; j < 4 * h; j++) {
                for (int i = 0; i < in; i++) {
                    stacked[j * (in + h) + i] = w.w()[l][j * in + i] * inScale;
                }
                for (int i = 0; i < h; i++) {
                    stacked[j * (in + h) + in + i] = w.r()[l][j * h + i] * HIDDEN_SCALE;
                }
            }
            Int8Matrix q = Int8Matrix.quantize(stacked, 4 * h, in + h, true);
            // The step graph multiplies [x, qh] by all of M_l; the sequence graph its input rows and its recurrent
            // rows apart (the same int8 values, so the same int32 sums)
            if (whole) {
                m[l] = g.int8s("M_" + l + "_quantized", q.values(), in + h, 4L * h);
            } else {
                mInput[l] = g.int8s(
                        "M_" + l + "_input_quantized", Arrays.copyOfRange(q.values(), 0, in * 4 * h), in, 4L * h);
                mRecurrent[l] = g.int8s(
                        "M_" + l + "_recurrent_quantized",
                        Arrays.copyOfRange(q.values(), in * 4 * h, (in + h) * 4 * h),
                        h,
                        4L * h);
            }
            mScale[l] = g.floats("M_" + l + "_scale", q.scales(), 4L * h);
            float[] b = new float[4 * h];
            for (int j = 0; j < 4 * h; j++) {
                b[j] = w.b()[l][j] + w.b()[l][4 * h + j];
            }
            bias[l] = g.floats("B_" + l, b, 4L * h);
        }
        float[] head = new float[v * h];
        for (int i = 0; i < head.length; i++) {
            head[i] = w.headWeight()[i] * HIDDEN_SCALE;
        }
        Int8Matrix q = Int8Matrix.quantize(head, v, h, true);
        String headQ = g.int8s("head_quantized", q.values(), h, v);
        String headScale = g.floats("head_scale", q.scales(), v);
        String headBias = g.floats("head_bias", w.headBias(), v);
        return new Constants(
                embedding,
                hiddenScale,
                zeroPoint,
                gateSplit,
                m,
                mInput,
                mRecurrent,
                mScale,
                bias,
                headQ,
                headScale,
                headBias);
    }

    private static float maxAbs(float[] a) {
        float max = 0;
        for (float x : a) {
            max = Math.max(max, Math.abs(x));
        }
        return max;
    }
}
