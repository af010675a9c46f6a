package dev.charlstm.trainer.export;

import ai.djl.nn.ParameterList;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.model.CharLstm;
import dev.charlstm.runtime.pack.ModelShape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a {@link CharLstm} as the single-step ONNX graph of a model package.
 *
 * <p>Inputs {@code token} int64 [batch], {@code h}, {@code c} float [L, batch, H]; outputs {@code logits} float
 * [batch, V], {@code h_out}, {@code c_out} float [L, batch, H]; {@code batch} is symbolic. The graph is
 * Gather (embedding) → Unsqueeze to a sequence of one → per layer: Slice of h and c → ONNX {@code LSTM} (its
 * {@code Y_h} is the next layer's input) → Concat of the per-layer states; Squeeze → Gemm head.
 *
 * <p>Gate order is the part that silently goes wrong: DJL (like PyTorch) stacks the gates i, f, g, o; ONNX wants
 * i, o, f, c. ONNX block {@code b} is DJL block {@link #ONNX_FROM_DJL_GATE}[b], for W, R and both bias halves.
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxExporter {

    /** The default-domain opset of the graph. Every operator used is at its opset-13/14 semantics. */
    public static final int OPSET = 17;
    /** The ONNX IR version that goes with {@link #OPSET}. */
    public static final long IR_VERSION = 8;
    /** ONNX gate block b (i, o, f, c) takes DJL gate block ONNX_FROM_DJL_GATE[b] (DJL order i, f, g, o). */
    static final int[] ONNX_FROM_DJL_GATE = {0, 3, 1, 2};
    /** What the graph's metadata names as its producer. */
    public static final String PRODUCER_VERSION = "0.1.0";

    private OnnxExporter() {}

    /**
     * @param model a trained model
     * @return the serialised ONNX model
     */
    public static byte[] export(CharLstm model) {
        return toProto(model).toByteArray();
    }

    static ModelProto toProto(CharLstm model) {
        return toProto(model, ONNX_FROM_DJL_GATE);
    }

    /** With another gate mapping: only tests use it, to show that a wrong order is caught. */
    static ModelProto toProto(CharLstm model, int[] gateMap) {
        ModelShape cfg = model.shape();
        int v = cfg.vocabSize();
        int e = cfg.embeddingSize();
        int h = cfg.hiddenSize();
        int layers = cfg.layers();
        ParameterList params = model.getParameters();
        GraphSignature io = GraphSignature.DEFAULT;
        OnnxGraphWriter g = new OnnxGraphWriter("charlstm_step");

        g.input(io.token(), TensorProto.DataType.INT64_VALUE, "batch");
        g.input(io.h(), TensorProto.DataType.FLOAT_VALUE, (long) layers, "batch", (long) h);
        g.input(io.c(), TensorProto.DataType.FLOAT_VALUE, (long) layers, "batch", (long) h);

        String axis0 = g.longs("axis0", 0);
        String embedding = g.floats("embedding", floats(params, "embedding"), v, e);
        String embedded = g.node("Gather", new String[] {embedding, io.token()}, new String[] {"embedded"}, "axis", 0);
        String x = g.node("Unsqueeze", new String[] {embedded, axis0}, new String[] {"x_0"});

        String[] hs = new String[layers];
        String[] cs = new String[layers];
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? e : h;
            String p = "01lstm_l_" + l + "_";
            String w = g.floats("W_" + l, reorderGates(floats(params, p + "i2h_WEIGHT"), h, in, gateMap), 1, 4L * h, in);
            String r = g.floats("R_" + l, reorderGates(floats(params, p + "h2h_WEIGHT"), h, h, gateMap), 1, 4L * h, h);
            float[] bias = new float[8 * h];
            System.arraycopy(reorderGates(floats(params, p + "i2h_BIAS"), h, 1, gateMap), 0, bias, 0, 4 * h);
            System.arraycopy(reorderGates(floats(params, p + "h2h_BIAS"), h, 1, gateMap), 0, bias, 4 * h, 4 * h);
            String b = g.floats("B_" + l, bias, 1, 8L * h);
            String start = g.longs("layer_" + l, l);
            String end = g.longs("layer_" + l + "_end", l + 1L);
            String h0 = g.node("Slice", new String[] {io.h(), start, end, axis0}, new String[] {"h_" + l});
            String c0 = g.node("Slice", new String[] {io.c(), start, end, axis0}, new String[] {"c_" + l});
            g.node("LSTM", new String[] {x, w, r, b, "", h0, c0},
                    new String[] {"", "h_out_" + l, "c_out_" + l}, "hidden_size", h);
            hs[l] = "h_out_" + l;
            cs[l] = "c_out_" + l;
            x = hs[l]; // [1, batch, H]: a sequence of one step, the next layer's input
        }
        g.node("Concat", hs, new String[] {io.hOut()}, "axis", 0);
        g.node("Concat", cs, new String[] {io.cOut()}, "axis", 0);
        String top = g.node("Squeeze", new String[] {x, axis0}, new String[] {"top"});
        String headW = g.floats("head_weight", floats(params, "02head_weight"), v, h);
        String headB = g.floats("head_bias", floats(params, "02head_bias"), v);
        g.node("Gemm", new String[] {top, headW, headB}, new String[] {io.logits()}, "transB", 1);

        g.output(io.logits(), TensorProto.DataType.FLOAT_VALUE, "batch", (long) v);
        g.output(io.hOut(), TensorProto.DataType.FLOAT_VALUE, (long) layers, "batch", (long) h);
        g.output(io.cOut(), TensorProto.DataType.FLOAT_VALUE, (long) layers, "batch", (long) h);

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("charlstm")
                .setProducerVersion(PRODUCER_VERSION)
                .setDocString("charlstm single-step character LSTM: (token, h, c) -> (logits, h_out, c_out)")
                .setGraph(g.build());
        metadata(cfg).forEach((k, val) ->
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(val)));
        return m.build();
    }

    /** The {@code metadata_props} of the graph. */
    static Map<String, String> metadata(ModelShape cfg) {
        Map<String, String> md = new LinkedHashMap<>();
        md.put("charlstm.format", ModelPackage.FORMAT);
        md.put("charlstm.format_version", Integer.toString(ModelPackage.VERSION));
        md.put("charlstm.vocab_size", Integer.toString(cfg.vocabSize()));
        md.put("charlstm.embedding_size", Integer.toString(cfg.embeddingSize()));
        md.put("charlstm.hidden_size", Integer.toString(cfg.hiddenSize()));
        md.put("charlstm.layers", Integer.toString(cfg.layers()));
        md.put("charlstm.producer", "charlstm " + PRODUCER_VERSION);
        return md;
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
        for (int b = 0; b < 4; b++) {
            System.arraycopy(djl, gateMap[b] * block, onnx, b * block, block);
        }
        return onnx;
    }
}
