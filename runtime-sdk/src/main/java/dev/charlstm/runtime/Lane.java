package dev.charlstm.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Buffers for one batched graph call of up to {@code capacity} rows: each call gathers its rows' tokens and states
 * into [L, n, H] inputs, runs the graph once, and scatters the new states and the [n, V] logits back into the rows.
 * Rows may differ from one call to the next (that is what continuous batching needs), so the state is copied, 4·L·H
 * floats per row and step, which is small beside the step's arithmetic (8·(E+H)·H per layer). The tensors for each
 * batch size are created on first use and then reused, with pinned outputs.
 *
 * <p>Not thread-safe: one graph call at a time. Owns native memory: close it once no call runs.
 */
final class Lane implements AutoCloseable {

    private final Graph graph;
    final int capacity;
    /** The rows of the call in progress; reused from call to call. */
    final Row[] rows;

    private final LongBuffer tokens;
    private final FloatBuffer hIn;
    private final FloatBuffer cIn;
    private final FloatBuffer hOut;
    private final FloatBuffer cOut;
    private final FloatBuffer logits;
    /** [n] = {inputs, outputs} for a batch of n rows, or null until first used. */
    private final Map<String, OnnxTensor>[][] bySize;

    private final List<OnnxTensor> tensors = new ArrayList<>();

    Lane(Graph graph, int capacity) {
        this.graph = graph;
        this.capacity = capacity;
        this.rows = new Row[capacity];
        @SuppressWarnings("unchecked")
        Map<String, OnnxTensor>[][] sizes = new Map[capacity + 1][];
        this.bySize = sizes;
        int state = graph.layers * capacity * graph.hidden;
        tokens = ByteBuffer.allocateDirect(capacity * Long.BYTES)
                .order(ByteOrder.nativeOrder())
                .asLongBuffer();
        hIn = Stepper.floats(state);
        cIn = Stepper.floats(state);
        hOut = Stepper.floats(state);
        cOut = Stepper.floats(state);
        logits = Stepper.floats(capacity * graph.vocabSize);
    }

    /** Runs one graph call for {@code rows[0..n)}, 2 ≤ n ≤ capacity. The caller holds {@link Graph#enter()}. */
    void run(Row[] rows, int n) throws OrtException {
        Map<String, OnnxTensor>[] io = bySize[n];
        if (io == null) {
            io = createTensors(n);
            bySize[n] = io;
        }
        int hidden = graph.hidden;
        int layers = graph.layers;
        int v = graph.vocabSize;
        for (int i = 0; i < n; i++) {
            Stepper s = rows[i].stepper;
            tokens.put(i, s.token());
            FloatBuffer h = s.h();
            FloatBuffer c = s.c();
            for (int l = 0; l < layers; l++) {
                int dst = (l * n + i) * hidden;
                hIn.put(dst, h, l * hidden, hidden);
                cIn.put(dst, c, l * hidden, hidden);
            }
        }
        try (OrtSession.Result ignored = graph.session.run(io[0], io[1])) {
            // outputs are pinned: the results are already in hOut, cOut and logits
        }
        for (int i = 0; i < n; i++) {
            Stepper s = rows[i].stepper;
            FloatBuffer h = s.h();
            FloatBuffer c = s.c();
            for (int l = 0; l < layers; l++) {
                int src = (l * n + i) * hidden;
                h.put(l * hidden, hOut, src, hidden);
                c.put(l * hidden, cOut, src, hidden);
            }
            s.logits().put(0, logits, i * v, v);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, OnnxTensor>[] createTensors(int n) throws OrtException {
        int state = graph.layers * n * graph.hidden;
        long[] stateShape = {graph.layers, n, graph.hidden};
        OnnxTensor token = track(OnnxTensor.createTensor(graph.env, tokens.slice(0, n), new long[] {n}));
        OnnxTensor h = track(OnnxTensor.createTensor(graph.env, hIn.slice(0, state), stateShape));
        OnnxTensor c = track(OnnxTensor.createTensor(graph.env, cIn.slice(0, state), stateShape));
        OnnxTensor ho = track(OnnxTensor.createTensor(graph.env, hOut.slice(0, state), stateShape));
        OnnxTensor co = track(OnnxTensor.createTensor(graph.env, cOut.slice(0, state), stateShape));
        OnnxTensor lo = track(OnnxTensor.createTensor(
                graph.env, logits.slice(0, n * graph.vocabSize), new long[] {n, graph.vocabSize}));
        return new Map[] {
            Map.of(graph.names.token(), token, graph.names.h(), h, graph.names.c(), c),
            Map.of(graph.names.logits(), lo, graph.names.hOut(), ho, graph.names.cOut(), co)
        };
    }

    private OnnxTensor track(OnnxTensor t) {
        tensors.add(t);
        return t;
    }

    /** Frees the tensors; only while no call runs. */
    @Override
    public void close() {
        tensors.forEach(OnnxTensor::close);
        tensors.clear();
        Arrays.fill(bySize, null);
    }
}
