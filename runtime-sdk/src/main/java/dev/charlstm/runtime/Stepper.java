package dev.charlstm.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlstm.runtime.pack.GraphSignature;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * Native buffers and tensors for stepping {@code batch} streams through the single-step graph, allocated once.
 *
 * <p>The hot path allocates nothing it can reuse: the token, state and logits tensors wrap direct native-order
 * buffers; the outputs are pinned, so ONNX Runtime writes straight into them; h and c ping-pong between two tensor
 * pairs (this step's outputs are the next step's inputs). Only ONNX Runtime's small {@code Result} object is new
 * per step.
 *
 * <p>Not thread-safe. Owns native memory: close it.
 */
final class Stepper implements AutoCloseable {

    private final OrtSession session;
    private final int batch;
    private final int stateSize;
    private final LongBuffer tokens;
    private final FloatBuffer logits;
    private final FloatBuffer[] h = new FloatBuffer[2];
    private final FloatBuffer[] c = new FloatBuffer[2];
    private final OnnxTensor tokenTensor;
    private final OnnxTensor logitsTensor;
    private final OnnxTensor[] hTensor = new OnnxTensor[2];
    private final OnnxTensor[] cTensor = new OnnxTensor[2];
    @SuppressWarnings("unchecked")
    private final Map<String, OnnxTensor>[] inputs = new Map[2];
    @SuppressWarnings("unchecked")
    private final Map<String, OnnxTensor>[] outputs = new Map[2];
    /** Which pair holds the current state: 0 or 1. */
    private int current;
    private boolean closed;

    Stepper(OrtEnvironment env, OrtSession session, GraphSignature names, int batch, int layers, int hidden,
            int vocabSize) throws OrtException {
        this.session = session;
        this.batch = batch;
        this.stateSize = layers * batch * hidden;
        long[] stateShape = {layers, batch, hidden};
        tokens = ByteBuffer.allocateDirect(batch * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        logits = floats(batch * vocabSize);
        OnnxTensor tt = null;
        OnnxTensor lt = null;
        try {
            tt = OnnxTensor.createTensor(env, tokens, new long[] {batch});
            lt = OnnxTensor.createTensor(env, logits, new long[] {batch, vocabSize});
            for (int i = 0; i < 2; i++) {
                h[i] = floats(stateSize);
                c[i] = floats(stateSize);
                hTensor[i] = OnnxTensor.createTensor(env, h[i], stateShape);
                cTensor[i] = OnnxTensor.createTensor(env, c[i], stateShape);
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(tt, lt, hTensor[0], cTensor[0], hTensor[1], cTensor[1]);
            throw e;
        }
        tokenTensor = tt;
        logitsTensor = lt;
        for (int i = 0; i < 2; i++) {
            inputs[i] = Map.of(names.token(), tokenTensor, names.h(), hTensor[i], names.c(), cTensor[i]);
            outputs[i] = Map.of(names.logits(), logitsTensor, names.hOut(), hTensor[1 - i], names.cOut(),
                    cTensor[1 - i]);
        }
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Sets the token of one row for the next {@link #step()}. */
    void token(int row, int id) {
        tokens.put(row, id);
    }

    /** Runs one step for every row: logits for the tokens set, state advanced. */
    void step() throws OrtException {
        try (OrtSession.Result ignored = session.run(inputs[current], outputs[current])) {
            current = 1 - current;
        }
    }

    /** @return the logits of the last step, [batch, V] row-major; valid until the next step */
    FloatBuffer logits() {
        return logits;
    }

    /** Zeroes the state of every row. */
    void resetState() {
        for (int i = 0; i < stateSize; i++) {
            h[current].put(i, 0f);
            c[current].put(i, 0f);
        }
    }

    /** Copies the current state ([L, batch, H] each) into the arrays. */
    void copyStateTo(float[] hOut, float[] cOut) {
        h[current].get(0, hOut, 0, stateSize);
        c[current].get(0, cOut, 0, stateSize);
    }

    /** Replaces the current state with the arrays ([L, batch, H] each). */
    void loadState(float[] hIn, float[] cIn) {
        h[current].put(0, hIn, 0, stateSize);
        c[current].put(0, cIn, 0, stateSize);
    }

    /**
     * Copies one row's state from a single-row stepper into row {@code row} of this one.
     *
     * @param layers L
     * @param hidden H
     */
    void loadRow(int row, float[] h1, float[] c1, int layers, int hidden) {
        for (int l = 0; l < layers; l++) {
            int dst = (l * batch + row) * hidden;
            h[current].put(dst, h1, l * hidden, hidden);
            c[current].put(dst, c1, l * hidden, hidden);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Frees the tensors; idempotent. The owner calls it only while no step runs (under the model's write lock). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeAll(tokenTensor, logitsTensor, hTensor[0], cTensor[0], hTensor[1], cTensor[1]);
        }
    }

    private static void closeAll(OnnxTensor... tensors) {
        for (OnnxTensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }
}
