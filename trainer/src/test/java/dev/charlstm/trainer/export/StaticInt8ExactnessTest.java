package dev.charlstm.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlstm.runtime.pack.ModelShape;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * static-int8 graphs are exact per row: a row's logits and state are bit-identical (max |diff| = 0) whether it runs
 * alone or in a batch of 2, 5, 32 or 64 at any position among random other rows (on one intra-op thread or two),
 * and whether a prompt is primed
 * through the sequence graph (any batch) or stepped. Shapes from H 32 to 256, L 1 to 3, V 27 to 3,000, random
 * weights and states. The control: the same check fails for the earlier dynamic-int8 graphs, whose activations are
 * quantized per call.
 */
class StaticInt8ExactnessTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final int STEPS = 5;

    @ParameterizedTest(name = "V{0} E{1} H{2} L{3}")
    @CsvSource({"27, 16, 32, 1", "29, 16, 32, 2", "80, 32, 64, 3", "256, 128, 256, 2", "3000, 64, 256, 1"})
    void everyRowIsExactAloneInAnyBatchAndAfterPrefill(int v, int e, int h, int l) throws OrtException {
        LstmWeights w = random(new ModelShape(v, e, h, l, 0f), 11);
        try (Steps step = new Steps(OnnxExporter.step(w, Precision.INT8, true).toByteArray(), w.shape());
                OrtSession seq =
                        session(OnnxExporter.sequence(w, Precision.INT8, true).toByteArray())) {
            int rows = 64;
            Random r = new Random(v * 31L + h);
            long[][] tokens = new long[STEPS][rows];
            for (long[] t : tokens) {
                for (int i = 0; i < rows; i++) {
                    t[i] = r.nextInt(v);
                }
            }
            float[][] h0 = new float[rows][];
            float[][] c0 = new float[rows][];
            for (int i = 0; i < rows; i++) {
                h0[i] = uniform(r, l * h, 0.999f);
                c0[i] = uniform(r, l * h, 3f);
            }
            // Each row alone: the reference
            Result[] alone = new Result[rows];
            for (int i = 0; i < rows; i++) {
                alone[i] = step.run(new int[] {i}, tokens, h0, c0)[0];
            }
            // Every row again in batches of 2, 5, 32 and 64, at shuffled positions
            for (int size : new int[] {2, 5, 32, 64}) {
                int[] order = shuffled(rows, r);
                for (int from = 0; from + size <= rows; from += size) {
                    int[] members = Arrays.copyOfRange(order, from, from + size);
                    Result[] batch = step.run(members, tokens, h0, c0);
                    for (int k = 0; k < size; k++) {
                        alone[members[k]].assertSame(
                                batch[k], "row " + members[k] + " at position " + k + " of a batch of " + size);
                    }
                }
            }
            // A session with two intra-op threads splits the GEMMs and the elementwise work: still the same bits
            try (Steps twoThreads =
                    new Steps(OnnxExporter.step(w, Precision.INT8, true).toByteArray(), w.shape(), 2)) {
                int[] order = shuffled(rows, r);
                Result[] batch = twoThreads.run(order, tokens, h0, c0);
                for (int k = 0; k < rows; k++) {
                    alone[order[k]].assertSame(
                            batch[k], "row " + order[k] + " at position " + k + " of a batch of 64 on two threads");
                }
            }
            // Prefill: the sequence graph over the same steps, alone and as a batch of 5, leaves what stepping leaves
            for (int[] members : new int[][] {{7}, {3, 60, 7, 0, 41}}) {
                Result[] primed = sequence(seq, w.shape(), members, tokens, h0, c0);
                for (int k = 0; k < members.length; k++) {
                    alone[members[k]].assertSame(
                            primed[k], "row " + members[k] + " primed in a batch of " + members.length);
                }
            }
        }
    }

    /**
     * At the extremes (every h at +-0.999, so every quantized activation at its largest, 127 as uint8, where a
     * kernel that adds uint8 x int8 products in int16 pairs would saturate), the int8 step graph stays as close to
     * the float32 graph of the same weights as quantization allows.
     */
    @ParameterizedTest(name = "V{0} E{1} H{2} L{3}")
    @CsvSource({"80, 32, 64, 2", "256, 128, 256, 2"})
    void extremeActivationsStayCloseToFloat32(int v, int e, int h, int l) throws OrtException {
        LstmWeights w = random(new ModelShape(v, e, h, l, 0f), 13);
        try (Steps int8 = new Steps(OnnxExporter.step(w, Precision.INT8, true).toByteArray(), w.shape());
                Steps fp32 =
                        new Steps(OnnxExporter.step(w, Precision.FLOAT32, true).toByteArray(), w.shape())) {
            int rows = 4;
            long[][] tokens = new long[STEPS][rows];
            float[][] h0 = new float[rows][l * h];
            float[][] c0 = new float[rows][l * h];
            for (int i = 0; i < rows; i++) {
                Arrays.fill(h0[i], i % 2 == 0 ? 0.999f : -0.999f);
                Arrays.fill(c0[i], 2f);
                for (int t = 0; t < STEPS; t++) {
                    tokens[t][i] = (i * 7 + t) % v;
                }
            }
            int[] all = {0, 1, 2, 3};
            Result[] q = int8.run(all, tokens, h0, c0);
            Result[] f = fp32.run(all, tokens, h0, c0);
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < rows; i++) {
                float[] a = q[i].logits()[0];
                float[] b = f[i].logits()[0];
                for (int k = 0; k < v; k++) {
                    worst = Math.max(worst, Math.abs(a[k] - b[k]));
                    largest = Math.max(largest, Math.abs(b[k]));
                }
            }
            System.out.printf(
                    "V%d H%d L%d, h at +-0.999: first step's max |logit diff| int8 vs float32 %.4f (max"
                            + " |logit| %.2f)%n",
                    v, h, l, worst, largest);
            assertTrue(
                    worst < 0.05 * Math.max(1, largest), "max |logit diff| " + worst + " for logits up to " + largest);
        }
    }

    /**
     * An all-zero embedding (a degenerate but valid model) quantizes to zeros: its rows must not set the columns'
     * scales, or the recurrent weights are quantized coarsely (0.4 nats/char off on a tiny model, found by a tester).
     */
    @org.junit.jupiter.api.Test
    void anAllZeroEmbeddingDoesNotCoarsenTheRecurrentWeights() throws OrtException {
        LstmWeights random = random(new ModelShape(40, 16, 64, 1, 0f), 17);
        LstmWeights w = new LstmWeights(
                random.shape(),
                new float[random.embedding().length],
                random.w(),
                random.r(),
                random.b(),
                random.headWeight(),
                random.headBias());
        try (Steps int8 = new Steps(OnnxExporter.step(w, Precision.INT8, true).toByteArray(), w.shape());
                Steps fp32 =
                        new Steps(OnnxExporter.step(w, Precision.FLOAT32, true).toByteArray(), w.shape())) {
            Random r = new Random(2);
            int rows = 4;
            long[][] tokens = new long[STEPS][rows];
            float[][] h0 = new float[rows][];
            float[][] c0 = new float[rows][];
            for (int i = 0; i < rows; i++) {
                h0[i] = uniform(r, 64, 0.9f);
                c0[i] = uniform(r, 64, 2f);
            }
            int[] all = {0, 1, 2, 3};
            Result[] q = int8.run(all, tokens, h0, c0);
            Result[] f = fp32.run(all, tokens, h0, c0);
            double worst = 0;
            for (int i = 0; i < rows; i++) {
                for (int t = 0; t < STEPS; t++) {
                    for (int k = 0; k < 40; k++) {
                        worst = Math.max(worst, Math.abs(q[i].logits()[t][k] - f[i].logits()[t][k]));
                    }
                }
            }
            assertTrue(worst < 0.05, "max |logit diff| " + worst);
        }
    }

    @SuppressWarnings("deprecation")
    @ParameterizedTest(name = "control: dynamic-int8 V{0} E{1} H{2} L{3}")
    @CsvSource({"80, 32, 64, 2"})
    void theEarlierDynamicInt8GraphsAreNot(int v, int e, int h, int l) throws OrtException {
        LstmWeights w = random(new ModelShape(v, e, h, l, 0f), 11);
        try (Steps step =
                new Steps(OnnxExporter.step(w, Precision.INT8_DYNAMIC, true).toByteArray(), w.shape())) {
            int rows = 32;
            Random r = new Random(5);
            long[][] tokens = new long[STEPS][rows];
            float[][] h0 = new float[rows][];
            float[][] c0 = new float[rows][];
            for (int i = 0; i < rows; i++) {
                for (long[] t : tokens) {
                    t[i] = r.nextInt(v);
                }
                // rows of different magnitudes: per-tensor scales then round each row differently
                h0[i] = uniform(r, l * h, i % 2 == 0 ? 0.05f : 0.999f);
                c0[i] = uniform(r, l * h, 3f);
            }
            Result[] batch = step.run(shuffled(rows, new Random(1)), tokens, h0, c0);
            int[] order = shuffled(rows, new Random(1));
            int differing = 0;
            for (int k = 0; k < rows; k++) {
                if (!step.run(new int[] {order[k]}, tokens, h0, c0)[0].sameAs(batch[k])) {
                    differing++;
                }
            }
            assertTrue(differing > rows / 2, differing + " of " + rows + " rows differ alone vs in a batch");
        }
    }

    /** One row's logits of every step and its final state. */
    private record Result(float[][] logits, float[] h, float[] c) {
        void assertSame(Result other, String what) {
            for (int t = 0; t < logits.length; t++) {
                assertArrayEquals(logits[t], other.logits[t], 0f, what + ": logits of step " + t);
            }
            assertArrayEquals(h, other.h, 0f, what + ": h");
            assertArrayEquals(c, other.c, 0f, what + ": c");
        }

        boolean sameAs(Result other) {
            return Arrays.deepEquals(logits, other.logits) && Arrays.equals(h, other.h) && Arrays.equals(c, other.c);
        }
    }

    /** The step graph, run for STEPS steps on chosen rows. */
    private static final class Steps implements AutoCloseable {
        final OrtSession session;
        final ModelShape s;

        Steps(byte[] graph, ModelShape s) throws OrtException {
            this(graph, s, 1);
        }

        Steps(byte[] graph, ModelShape s, int threads) throws OrtException {
            this.session = session(graph, threads);
            this.s = s;
        }

        Result[] run(int[] rows, long[][] tokens, float[][] h0, float[][] c0) throws OrtException {
            int n = rows.length;
            int lh = s.layers() * s.hiddenSize();
            float[] h = pack(rows, h0, s);
            float[] c = pack(rows, c0, s);
            float[][][] logits = new float[n][STEPS][];
            for (int t = 0; t < STEPS; t++) {
                long[] tok = new long[n];
                for (int k = 0; k < n; k++) {
                    tok[k] = tokens[t][rows[k]];
                }
                long[] shape = {s.layers(), n, s.hiddenSize()};
                try (OnnxTensor tt = OnnxTensor.createTensor(ENV, LongBuffer.wrap(tok), new long[] {n});
                        OnnxTensor th = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(h), shape);
                        OnnxTensor tc = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(c), shape);
                        OrtSession.Result r = session.run(Map.of("token", tt, "h", th, "c", tc))) {
                    float[] out = floats(r, "logits");
                    for (int k = 0; k < n; k++) {
                        logits[k][t] = Arrays.copyOfRange(out, k * s.vocabSize(), (k + 1) * s.vocabSize());
                    }
                    h = floats(r, "h_out");
                    c = floats(r, "c_out");
                }
            }
            Result[] results = new Result[n];
            for (int k = 0; k < n; k++) {
                results[k] = new Result(logits[k], unpack(h, k, n, s), unpack(c, k, n, s));
            }
            assertTrue(lh > 0);
            return results;
        }

        @Override
        public void close() throws OrtException {
            session.close();
        }
    }

    /** The sequence graph over all STEPS tokens of chosen rows in one call. */
    private static Result[] sequence(
            OrtSession seq, ModelShape s, int[] rows, long[][] tokens, float[][] h0, float[][] c0) throws OrtException {
        int n = rows.length;
        long[] tok = new long[STEPS * n];
        for (int t = 0; t < STEPS; t++) {
            for (int k = 0; k < n; k++) {
                tok[t * n + k] = tokens[t][rows[k]];
            }
        }
        long[] shape = {s.layers(), n, s.hiddenSize()};
        try (OnnxTensor tt = OnnxTensor.createTensor(ENV, LongBuffer.wrap(tok), new long[] {STEPS, n});
                OnnxTensor th = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(pack(rows, h0, s)), shape);
                OnnxTensor tc = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(pack(rows, c0, s)), shape);
                OrtSession.Result r = seq.run(Map.of("tokens", tt, "h", th, "c", tc))) {
            float[] all = floats(r, "logits");
            float[] h = floats(r, "h_out");
            float[] c = floats(r, "c_out");
            Result[] results = new Result[n];
            int v = s.vocabSize();
            for (int k = 0; k < n; k++) {
                float[][] logits = new float[STEPS][];
                for (int t = 0; t < STEPS; t++) {
                    logits[t] = Arrays.copyOfRange(all, (t * n + k) * v, (t * n + k + 1) * v);
                }
                results[k] = new Result(logits, unpack(h, k, n, s), unpack(c, k, n, s));
            }
            return results;
        }
    }

    private static OrtSession session(byte[] graph) throws OrtException {
        return session(graph, 1);
    }

    private static OrtSession session(byte[] graph, int threads) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(threads);
            return ENV.createSession(graph, so);
        }
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    /** Rows' states [L, H] each into [L, n, H]. */
    private static float[] pack(int[] rows, float[][] states, ModelShape s) {
        int n = rows.length;
        int hs = s.hiddenSize();
        float[] out = new float[s.layers() * n * hs];
        for (int k = 0; k < n; k++) {
            for (int l = 0; l < s.layers(); l++) {
                System.arraycopy(states[rows[k]], l * hs, out, (l * n + k) * hs, hs);
            }
        }
        return out;
    }

    private static float[] unpack(float[] state, int k, int n, ModelShape s) {
        int hs = s.hiddenSize();
        float[] out = new float[s.layers() * hs];
        for (int l = 0; l < s.layers(); l++) {
            System.arraycopy(state, (l * n + k) * hs, out, l * hs, hs);
        }
        return out;
    }

    private static int[] shuffled(int n, Random r) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static float[] uniform(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return a;
    }

    /** Random weights of a trained model's magnitudes (LSTM weights about 1/sqrt(H)). */
    static LstmWeights random(ModelShape s, long seed) {
        Random r = new Random(seed);
        int h = s.hiddenSize();
        float k = (float) (2 / Math.sqrt(h));
        float[][] w = new float[s.layers()][];
        float[][] rr = new float[s.layers()][];
        float[][] b = new float[s.layers()][];
        for (int l = 0; l < s.layers(); l++) {
            w[l] = uniform(r, 4 * h * (l == 0 ? s.embeddingSize() : h), k);
            rr[l] = uniform(r, 4 * h * h, k);
            b[l] = uniform(r, 8 * h, k);
        }
        return new LstmWeights(
                s,
                uniform(r, s.vocabSize() * s.embeddingSize(), 1.5f),
                w,
                rr,
                b,
                uniform(r, s.vocabSize() * h, 0.5f),
                uniform(r, s.vocabSize(), 1f));
    }
}
