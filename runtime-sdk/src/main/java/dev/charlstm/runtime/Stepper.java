package dev.charlstm.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * One row's native state: its next token, its LSTM state (h, c: [L, 1, H] each) and the logits of its last step
 * ([1, V]), in direct native-order buffers allocated once. The row steps alone through these buffers
 * ({@link #stepAlone}) or as one row of a batched call ({@link Lane}, which copies the state in and out).
 *
 * <p>Alone, the hot path allocates nothing it can reuse: the tensors wrap the buffers, the outputs are pinned so
 * ONNX Runtime writes straight into them, and h and c ping-pong between two tensor pairs (this step's outputs are
 * the next step's inputs). Only ONNX Runtime's small {@code Result} object is new per step. The tensors are created
 * on the first lone step, so rows that only ever run in batches never create them.
 *
 * <p>Not thread-safe: its row's driving thread, or the thread running the batch that holds the row, uses it.
 * Owns native memory: close it (only while no graph call uses it).
 */
final class Stepper implements AutoCloseable {

    private final Graph graph;
    private final int stateSize;
    private final LongBuffer token;
    private final FloatBuffer logits;
    private final FloatBuffer[] h = new FloatBuffer[2];
    private final FloatBuffer[] c = new FloatBuffer[2];
    private OnnxTensor[] tensors;

    @SuppressWarnings("unchecked")
    private final Map<String, OnnxTensor>[] inputs = new Map[2];

    @SuppressWarnings("unchecked")
    private final Map<String, OnnxTensor>[] outputs = new Map[2];
    /** Which pair holds the current state: 0 or 1. */
    private int current;

    private boolean closed;

    Stepper(Graph graph) {
        this.graph = graph;
        this.stateSize = graph.layers * graph.hidden;
        token = ByteBuffer.allocateDirect(Long.BYTES)
                .order(ByteOrder.nativeOrder())
                .asLongBuffer();
        logits = floats(graph.vocabSize);
        for (int i = 0; i < 2; i++) {
            h[i] = floats(stateSize);
            c[i] = floats(stateSize);
        }
    }

    static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** Sets the token for the next step. */
    void token(int id) {
        token.put(0, id);
    }

    int token() {
        return (int) token.get(0);
    }

    /** Runs one step of this row alone: logits for the token set, state advanced. */
    void stepAlone(OrtSession session) throws OrtException {
        if (tensors == null) {
            createTensors();
        }
        try (OrtSession.Result ignored = session.run(inputs[current], outputs[current])) {
            current = 1 - current;
        }
    }

    private synchronized void createTensors() throws OrtException {
        if (closed) {
            throw new IllegalStateException("the stream is closed");
        }
        long[] stateShape = {graph.layers, 1, graph.hidden};
        OnnxTensor[] t = new OnnxTensor[6];
        try {
            t[0] = OnnxTensor.createTensor(graph.env, token, new long[] {1});
            t[1] = OnnxTensor.createTensor(graph.env, logits, new long[] {1, graph.vocabSize});
            for (int i = 0; i < 2; i++) {
                t[2 + i] = OnnxTensor.createTensor(graph.env, h[i], stateShape);
                t[4 + i] = OnnxTensor.createTensor(graph.env, c[i], stateShape);
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(t);
            throw e;
        }
        for (int i = 0; i < 2; i++) {
            inputs[i] = Map.of(graph.names.token(), t[0], graph.names.h(), t[2 + i], graph.names.c(), t[4 + i]);
            outputs[i] = Map.of(graph.names.logits(), t[1], graph.names.hOut(), t[3 - i], graph.names.cOut(), t[5 - i]);
        }
        tensors = t;
    }

    /**
     * Feeds {@code ids[from..to)} through the sequence graph in one call: the state advances past them and the
     * logits become those after the last one, exactly as stepping them one by one would leave them (to float
     * rounding). The caller holds {@link Graph#enter()}.
     */
    void prefill(int[] ids, int from, int to) throws OrtException {
        long[] tokens = new long[to - from];
        for (int i = from; i < to; i++) {
            tokens[i - from] = ids[i];
        }
        graph.runSequence(tokens, tokens.length, 1, h[current], c[current], logits, true);
    }

    /** @return the logits of the last step, [V]; valid until the next step */
    FloatBuffer logits() {
        return logits;
    }

    /** @return the current hidden state, [L, 1, H] */
    FloatBuffer h() {
        return h[current];
    }

    /** @return the current cell state, [L, 1, H] */
    FloatBuffer c() {
        return c[current];
    }

    /** Zeroes the state. */
    void resetState() {
        for (int i = 0; i < stateSize; i++) {
            h[current].put(i, 0f);
            c[current].put(i, 0f);
        }
    }

    /** Copies the current state ([L, 1, H] each) and logits into the arrays. */
    void copyTo(float[] hOut, float[] cOut, float[] logitsOut) {
        h[current].get(0, hOut, 0, stateSize);
        c[current].get(0, cOut, 0, stateSize);
        logits.get(0, logitsOut, 0, logitsOut.length);
    }

    /** Replaces the current state and logits with the arrays. */
    void loadFrom(float[] hIn, float[] cIn, float[] logitsIn) {
        h[current].put(0, hIn, 0, stateSize);
        c[current].put(0, cIn, 0, stateSize);
        logits.put(0, logitsIn, 0, logitsIn.length);
    }

    /** Frees the tensors; idempotent. The owner calls it only while no graph call uses them. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (tensors != null) {
                closeAll(tensors);
            }
        }
    }

    static void closeAll(OnnxTensor... tensors) {
        for (OnnxTensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }
}
