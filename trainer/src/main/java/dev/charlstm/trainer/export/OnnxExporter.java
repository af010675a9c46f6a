package dev.charlstm.trainer.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.charlstm.runtime.Version;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.ModelShape;
import dev.charlstm.trainer.model.CharLstm;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a model's two ONNX graphs, in float32 or int8 ({@link Precision}).
 *
 * <p><b>Step graph</b> (one character per stream; the per-character path and the package contract): inputs
 * {@code token} int64 [batch], {@code h}, {@code c} float [L, batch, H]; outputs {@code logits} float [batch, V],
 * {@code h_out}, {@code c_out} float [L, batch, H]. Gather (embedding) → Unsqueeze to a sequence of one → per
 * layer: Slice of h and c → LSTM (its {@code Y_h} is the next layer's input) → Concat of the per-layer states;
 * Squeeze → head.
 *
 * <p><b>Sequence graph</b> (prompt priming and evaluation in one call): inputs {@code tokens} int64 [T, batch],
 * {@code h}, {@code c}; outputs {@code logits} float [T, batch, V] (the distribution after each token),
 * {@code h_out}, {@code c_out}. Each layer's LSTM runs the whole sequence (its input projection one GEMM); its
 * {@code Y} [T, 1, batch, H], squeezed, feeds the next layer; the head is a MatMul over every step.
 *
 * <p>float32 layers are ONNX {@code LSTM} and the head {@code Gemm} (step) or {@code MatMul} + {@code Add}
 * (sequence), as above. int8 ({@link Precision#INT8}) graphs are written by {@link StaticInt8Graphs}: integer GEMMs
 * at constant activation scales and the cell written out, exact per row. The earlier scheme
 * ({@link Precision#INT8_DYNAMIC}, kept to write fixtures and controls) uses {@code DynamicQuantizeLSTM},
 * whose W and R are int8 and <em>transposed</em> against ONNX LSTM's ([1, in, 4H], [1, H, 4H]), with per-channel
 * scales [1, 4H] and zero points 0, and a {@code DynamicQuantizeMatMul} head with B [H, V] and
 * per-column scales; its embedding stays float32.
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxExporter {

    /** The default-domain opset of the graphs. Every operator used is at its opset-13/14 semantics. */
    public static final int OPSET = 17;
    /** The ONNX IR version that goes with {@link #OPSET}. */
    public static final long IR_VERSION = 8;
    /** The domain of ONNX Runtime's contrib operators, and the version of it the int8 graphs import. */
    static final String MS_DOMAIN = "com.microsoft";

    static final int MS_OPSET = 1;
    /** What the graph's metadata names as its producer. */
    public static final String PRODUCER_VERSION = Version.CURRENT;

    private static final String STEP_DOC =
            "charlstm single-step character LSTM: (token, h, c) -> (logits, h_out, c_out)";
    private static final String SEQUENCE_DOC = "charlstm character LSTM over a sequence: (tokens [T, batch], h, c) ->"
            + " (logits [T, batch, V], h_out, c_out)";

    private OnnxExporter() {}

    /**
     * A package's graphs, serialised.
     *
     * @param step the single-step graph
     * @param sequence the sequence graph, null when not written
     */
    record Graphs(byte[] step, byte[] sequence) {}

    /**
     * @param model a trained model
     * @return its float32 step graph, serialised
     */
    public static byte[] export(CharLstm model) {
        return step(LstmWeights.of(model), Precision.FLOAT32, true).toByteArray();
    }

    /** Both graphs of a package. */
    static Graphs graphs(LstmWeights w, Precision precision) {
        return new Graphs(
                step(w, precision, true).toByteArray(),
                sequence(w, precision, true).toByteArray());
    }

    /** The step graph with a DJL model's weights mapped through another gate order: for the gate-order test. */
    static ModelProto toProto(CharLstm model, int[] gateMap) {
        return step(LstmWeights.of(model, gateMap), Precision.FLOAT32, true);
    }

    /**
     * @param transposeInt8 true always, except in the control test that shows the layout matters
     */
    static ModelProto step(LstmWeights weights, Precision precision, boolean transposeInt8) {
        ModelShape s = weights.shape();
        if (precision == Precision.INT8) {
            return model(StaticInt8Graphs.step(weights), s, precision, "step", STEP_DOC);
        }
        GraphSignature io = GraphSignature.STEP;
        OnnxGraphWriter g = new OnnxGraphWriter("charlstm_step");
        g.input(io.token(), TensorProto.DataType.INT64_VALUE, "batch");
        g.input(io.h(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        g.input(io.c(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        String axis0 = g.longs("axis0", 0);
        String embedding = g.floats("embedding", weights.embedding(), s.vocabSize(), s.embeddingSize());
        String embedded = g.node("Gather", new String[] {embedding, io.token()}, new String[] {"embedded"}, "axis", 0);
        String x = g.node("Unsqueeze", new String[] {embedded, axis0}, new String[] {"x_0"});
        x = layers(g, weights, precision, transposeInt8, io, x, false);
        String top = g.node("Squeeze", new String[] {x, axis0}, new String[] {"top"});
        head(g, weights, precision, transposeInt8, top, io.logits(), false);
        g.output(io.logits(), TensorProto.DataType.FLOAT_VALUE, "batch", (long) s.vocabSize());
        states(g, io, s);
        return model(g.build(), s, precision, "step", STEP_DOC);
    }

    /** The sequence graph; see the class comment. */
    static ModelProto sequence(LstmWeights weights, Precision precision, boolean transposeInt8) {
        ModelShape s = weights.shape();
        if (precision == Precision.INT8) {
            return model(StaticInt8Graphs.sequence(weights), s, precision, "sequence", SEQUENCE_DOC);
        }
        GraphSignature io = GraphSignature.SEQUENCE;
        OnnxGraphWriter g = new OnnxGraphWriter("charlstm_sequence");
        g.input(io.token(), TensorProto.DataType.INT64_VALUE, "time", "batch");
        g.input(io.h(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        g.input(io.c(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        String embedding = g.floats("embedding", weights.embedding(), s.vocabSize(), s.embeddingSize());
        String x = g.node("Gather", new String[] {embedding, io.token()}, new String[] {"x_0"}, "axis", 0);
        x = layers(g, weights, precision, transposeInt8, io, x, true);
        head(g, weights, precision, transposeInt8, x, io.logits(), true);
        g.output(io.logits(), TensorProto.DataType.FLOAT_VALUE, "time", "batch", (long) s.vocabSize());
        states(g, io, s);
        return model(g.build(), s, precision, "sequence", SEQUENCE_DOC);
    }

    /**
     * The stacked layers over input x [T, batch, in].
     *
     * @param wholeSequence true: each layer's Y (every step) feeds the next; false: T = 1 and Y_h does
     * @return the top layer's output, [T, batch, H]
     */
    private static String layers(
            OnnxGraphWriter g,
            LstmWeights weights,
            Precision precision,
            boolean transposeInt8,
            GraphSignature io,
            String x,
            boolean wholeSequence) {
        ModelShape s = weights.shape();
        int h = s.hiddenSize();
        String axis0 = g.longs("layer_axis", 0);
        String axis1 = wholeSequence ? g.longs("direction_axis", 1) : null;
        String[] hs = new String[s.layers()];
        String[] cs = new String[s.layers()];
        for (int l = 0; l < s.layers(); l++) {
            int in = l == 0 ? s.embeddingSize() : h;
            String start = g.longs("layer_" + l, l);
            String end = g.longs("layer_" + l + "_end", l + 1L);
            String h0 = g.node("Slice", new String[] {io.h(), start, end, axis0}, new String[] {"h_" + l});
            String c0 = g.node("Slice", new String[] {io.c(), start, end, axis0}, new String[] {"c_" + l});
            String b = g.floats("B_" + l, weights.b()[l], 1, 8L * h);
            String y = wholeSequence ? "y_" + l : "";
            String[] outputs = {y, "h_out_" + l, "c_out_" + l};
            if (precision == Precision.FLOAT32) {
                String w = g.floats("W_" + l, weights.w()[l], 1, 4L * h, in);
                String r = g.floats("R_" + l, weights.r()[l], 1, 4L * h, h);
                g.node("LSTM", new String[] {x, w, r, b, "", h0, c0}, outputs, "hidden_size", h);
            } else {
                String[] w = int8(
                        g,
                        "W_" + l,
                        Int8Matrix.quantize(weights.w()[l], 4 * h, in, transposeInt8),
                        transposeInt8,
                        true);
                String[] r = int8(
                        g, "R_" + l, Int8Matrix.quantize(weights.r()[l], 4 * h, h, transposeInt8), transposeInt8, true);
                g.msNode(
                        "DynamicQuantizeLSTM",
                        new String[] {x, w[0], r[0], b, "", h0, c0, "", w[1], w[2], r[1], r[2]},
                        outputs,
                        "hidden_size",
                        h);
            }
            hs[l] = "h_out_" + l;
            cs[l] = "c_out_" + l;
            // [T, 1 direction, batch, H] -> [T, batch, H]; with one step, Y_h [1, batch, H] is the same values
            x = wholeSequence ? g.node("Squeeze", new String[] {y, axis1}, new String[] {"x_" + (l + 1)}) : hs[l];
        }
        g.node("Concat", hs, new String[] {io.hOut()}, "axis", 0);
        g.node("Concat", cs, new String[] {io.cOut()}, "axis", 0);
        return x;
    }

    /** The head: [.., H] -> logits [.., V]. */
    private static void head(
            OnnxGraphWriter g,
            LstmWeights weights,
            Precision precision,
            boolean transposeInt8,
            String top,
            String logits,
            boolean wholeSequence) {
        ModelShape s = weights.shape();
        int v = s.vocabSize();
        int h = s.hiddenSize();
        String bias = g.floats("head_bias", weights.headBias(), v);
        if (precision == Precision.INT8_DYNAMIC) {
            String[] w = int8(
                    g,
                    "head_weight",
                    Int8Matrix.quantize(weights.headWeight(), v, h, transposeInt8),
                    transposeInt8,
                    false);
            g.msNode("DynamicQuantizeMatMul", new String[] {top, w[0], w[1], w[2], bias}, new String[] {logits});
        } else if (wholeSequence) {
            // MatMul broadcasts over [T, batch, H]; Gemm takes 2-D inputs only
            float[] transposed = new float[h * v];
            for (int j = 0; j < v; j++) {
                for (int k = 0; k < h; k++) {
                    transposed[k * v + j] = weights.headWeight()[j * h + k];
                }
            }
            String w = g.floats("head_weight_t", transposed, h, v);
            String product = g.node("MatMul", new String[] {top, w}, new String[] {"head_product"});
            g.node("Add", new String[] {product, bias}, new String[] {logits});
        } else {
            String w = g.floats("head_weight", weights.headWeight(), v, h);
            g.node("Gemm", new String[] {top, w, bias}, new String[] {logits}, "transB", 1);
        }
    }

    /**
     * Adds an int8 matrix's values, scales and zero points.
     *
     * @param lstm true: LSTM weights ([1, in, 4H] values, [1, 4H] scales and zero points); false: MatMul's B
     *     ([in, out], [out])
     * @return {values, scales, zero points}
     */
    private static String[] int8(OnnxGraphWriter g, String name, Int8Matrix m, boolean transposed, boolean lstm) {
        long rows = transposed ? m.in() : m.out();
        long cols = transposed ? m.out() : m.in();
        String values = lstm
                ? g.int8s(name + "_quantized", m.values(), 1, rows, cols)
                : g.int8s(name + "_quantized", m.values(), rows, cols);
        String scales = lstm
                ? g.floats(name + "_scale", m.scales(), 1, m.out())
                : g.floats(name + "_scale", m.scales(), m.out());
        byte[] zeros = new byte[m.out()];
        String zeroPoints =
                lstm ? g.int8s(name + "_zero_point", zeros, 1, m.out()) : g.int8s(name + "_zero_point", zeros, m.out());
        return new String[] {values, scales, zeroPoints};
    }

    private static void states(OnnxGraphWriter g, GraphSignature io, ModelShape s) {
        g.output(io.hOut(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
        g.output(io.cOut(), TensorProto.DataType.FLOAT_VALUE, (long) s.layers(), "batch", (long) s.hiddenSize());
    }

    private static ModelProto model(GraphProto graph, ModelShape s, Precision precision, String kind, String doc) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("charlstm")
                .setProducerVersion(PRODUCER_VERSION)
                .setDocString(doc)
                .setGraph(graph);
        if (precision == Precision.INT8_DYNAMIC) {
            m.addOpsetImport(
                    OperatorSetIdProto.newBuilder().setDomain(MS_DOMAIN).setVersion(MS_OPSET));
        }
        metadata(s, precision, kind)
                .forEach((k, val) -> m.addMetadataProps(
                        StringStringEntryProto.newBuilder().setKey(k).setValue(val)));
        return m.build();
    }

    /** The {@code metadata_props} of a graph. */
    static Map<String, String> metadata(ModelShape cfg, Precision precision, String kind) {
        Map<String, String> md = new LinkedHashMap<>();
        md.put("charlstm.format", ModelPackage.FORMAT);
        // the graphs are version 2's: version 3 changed the manifest only
        md.put("charlstm.format_version", "2");
        md.put("charlstm.graph", kind);
        md.put("charlstm.quantization", precision.method() == null ? "none" : precision.method());
        md.put("charlstm.vocab_size", Integer.toString(cfg.vocabSize()));
        md.put("charlstm.embedding_size", Integer.toString(cfg.embeddingSize()));
        md.put("charlstm.hidden_size", Integer.toString(cfg.hiddenSize()));
        md.put("charlstm.layers", Integer.toString(cfg.layers()));
        md.put("charlstm.producer", "charlstm " + PRODUCER_VERSION);
        return md;
    }
}
