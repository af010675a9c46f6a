package dev.charlstm.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The ONNX Runtime sessions over a package's graphs, checked against the package's description, and the guard that
 * keeps native memory alive while a graph call runs: every call is bracketed by {@link #enter()} and
 * {@link #exit()}, and {@link #drain()} marks the graph closed and waits for the calls in flight, never for more
 * (new calls fail at once), so closing cannot be starved by busy threads.
 *
 * <p>The step session is created at load. The sequence session (packages with {@code sequence.onnx}) is created
 * on first use ({@link #sequence()}): short prompts never need it, so loading and the first character of a short
 * prompt cost the same as for a package without one.
 *
 * <p>Thread-safe: ONNX Runtime sessions run concurrently.
 */
final class Graph implements AutoCloseable {

    final OrtEnvironment env;
    final OrtSession session;
    final GraphSignature names;
    final int layers;
    final int hidden;
    final int vocabSize;
    final String provider;
    /** The sequence graph's names, or null if the package has none. */
    final GraphSignature sequenceNames;

    private final byte[] sequenceBytes;
    private final String sequenceSource;
    private final String stepSource;
    private final boolean batchInvariant;
    private final boolean quantized;
    private final RuntimeOptions options;
    private OrtSession sequenceSession;
    /** Why the sequence session could not be created: every later prompt gets the same answer, at no cost. */
    private PackageException sequenceFailure;

    private final AtomicInteger callsInFlight = new AtomicInteger();
    private volatile boolean closed;

    private Graph(OrtEnvironment env, OrtSession session, ModelPackage pkg, String provider, RuntimeOptions options) {
        ModelManifest info = pkg.manifest();
        this.env = env;
        this.session = session;
        this.names = info.signature();
        this.layers = info.shape().layers();
        this.hidden = info.shape().hiddenSize();
        this.vocabSize = info.shape().vocabSize();
        this.provider = provider;
        this.sequenceNames = info.sequenceSignature();
        this.sequenceBytes = pkg.sequenceBytes();
        this.sequenceSource = pkg.sequenceSource();
        this.stepSource = pkg.modelSource();
        this.batchInvariant = info.batchInvariant();
        this.quantized = info.quantization() != null;
        this.options = options;
    }

    /**
     * Creates the session and checks the graph's inputs and outputs against the package.
     *
     * @throws PackageException if ONNX Runtime cannot load the graph or it does not match; nothing stays open then
     */
    static Graph open(ModelPackage pkg, RuntimeOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions so = sessionOptions(options)) {
            String provider = Providers.add(so, options.device());
            session = env.createSession(pkg.modelBytes(), so);
            ModelManifest m = pkg.manifest();
            verify(
                    session,
                    m.signature(),
                    m.shape().layers(),
                    m.shape().hiddenSize(),
                    m.shape().vocabSize(),
                    pkg.modelSource(),
                    false);
            return new Graph(env, session, pkg, provider, options);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new PackageException(pkg.modelSource() + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static OrtSession.SessionOptions sessionOptions(RuntimeOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setIntraOpNumThreads(options.intraOpThreads());
        so.setInterOpNumThreads(1);
        return so;
    }

    /**
     * The sequence graph's session, created on first use.
     *
     * @return the session, or null if the package has no sequence graph
     * @throws PackageException if ONNX Runtime cannot load it or it does not match the package
     */
    synchronized OrtSession sequence() {
        if (sequenceSession == null && sequenceBytes != null) {
            if (closed) {
                throw closedException();
            }
            if (sequenceFailure != null) {
                throw new PackageException(sequenceFailure.getMessage(), sequenceFailure);
            }
            OrtSession s = null;
            try (OrtSession.SessionOptions so = sessionOptions(options)) {
                Providers.add(so, options.device());
                s = env.createSession(sequenceBytes, so);
                verify(s, sequenceNames, layers, hidden, vocabSize, sequenceSource, true);
                agree(s);
                sequenceSession = s;
            } catch (OrtException e) {
                closeQuietly(s);
                sequenceFailure =
                        new PackageException(sequenceSource + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
                throw sequenceFailure;
            } catch (PackageException e) {
                closeQuietly(s);
                sequenceFailure = e;
                throw e;
            } catch (RuntimeException e) {
                closeQuietly(s);
                throw e;
            }
        }
        return sequenceSession;
    }

    /** Steps of the probe that checks the sequence graph against the step graph. */
    static final int PROBE_STEPS = 8;

    /**
     * Checks that the sequence graph computes what the step graph does: the package's contract is the step graph,
     * and a sequence graph that disagrees with it (edited or swapped on its own, its digest updated) would make
     * primed prompts and {@code eval} silently wrong. A few tokens from a non-zero state through both; the logits of
     * every step and the final state must agree: to the bit for static-int8, to float rounding (1e-4) for float32. Not
     * for the earlier dynamic-int8 packages:
     * their two graphs quantize activations over different spans (a whole sequence, one step) and differ by that
     * rounding alone by up to 5 in a tiny model's logits, so no bound would tell an edit from it.
     *
     * @throws PackageException naming both files and the difference
     */
    private void agree(OrtSession seq) throws OrtException {
        if (!batchInvariant) {
            return;
        }
        int steps = PROBE_STEPS;
        long[] tokens = new long[steps];
        for (int t = 0; t < steps; t++) {
            tokens[t] = (t * 7L + 3) % vocabSize;
        }
        int state = layers * hidden;
        FloatBuffer h = FloatBuffer.allocate(state);
        FloatBuffer c = FloatBuffer.allocate(state);
        for (int i = 0; i < state; i++) {
            h.put(i, (float) Math.sin(i) * 0.5f);
            c.put(i, (float) Math.cos(i));
        }
        FloatBuffer hs = FloatBuffer.allocate(state).put(0, h, 0, state);
        FloatBuffer cs = FloatBuffer.allocate(state).put(0, c, 0, state);
        FloatBuffer stepped = FloatBuffer.allocate(steps * vocabSize);
        FloatBuffer primed = FloatBuffer.allocate(steps * vocabSize);
        long[] stateShape = {layers, 1, hidden};
        for (int t = 0; t < steps; t++) {
            try (OnnxTensor tt = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {tokens[t]}), new long[] {1});
                    OnnxTensor th = OnnxTensor.createTensor(env, hs.duplicate().rewind(), stateShape);
                    OnnxTensor tc = OnnxTensor.createTensor(env, cs.duplicate().rewind(), stateShape);
                    OrtSession.Result r = session.run(Map.of(names.token(), tt, names.h(), th, names.c(), tc))) {
                stepped.put(t * vocabSize, output(r, names.logits()), 0, vocabSize);
                hs.put(0, output(r, names.hOut()), 0, state);
                cs.put(0, output(r, names.cOut()), 0, state);
            }
        }
        try (OnnxTensor tt = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {steps, 1});
                OnnxTensor th = OnnxTensor.createTensor(env, h.duplicate().rewind(), stateShape);
                OnnxTensor tc = OnnxTensor.createTensor(env, c.duplicate().rewind(), stateShape);
                OrtSession.Result r =
                        seq.run(Map.of(sequenceNames.token(), tt, sequenceNames.h(), th, sequenceNames.c(), tc))) {
            primed.put(0, output(r, sequenceNames.logits()), 0, steps * vocabSize);
            h.put(0, output(r, sequenceNames.hOut()), 0, state);
            c.put(0, output(r, sequenceNames.cOut()), 0, state);
        }
        double diff = Math.max(maxAbsDiff(stepped, primed), Math.max(maxAbsDiff(hs, h), maxAbsDiff(cs, c)));
        // static-int8 promises the same bits; float32's two graphs differ by the rounding of their GEMM shapes (about
        // 1e-6 on the shipped model), far below any edit worth finding
        double tolerance = quantized ? 0 : 1e-4;
        if (!(diff <= tolerance)) {
            throw new PackageException(sequenceSource + " disagrees with " + stepSource + ": over " + steps
                    + " characters their logits or state differ by up to "
                    + String.format(Locale.ROOT, "%.3g", diff)
                    + (tolerance == 0
                            ? " (a static-int8 package's two graphs agree to the bit)"
                            : " (at most " + tolerance + ")")
                    + "; the two graphs of a"
                    + " package must compute the same model (re-export it: charlstm export --package)");
        }
    }

    private static double maxAbsDiff(FloatBuffer a, FloatBuffer b) {
        double m = 0;
        for (int i = 0; i < a.capacity(); i++) {
            m = Math.max(m, Math.abs(a.get(i) - b.get(i)));
        }
        return Double.isNaN(m) ? Double.POSITIVE_INFINITY : m;
    }

    /** Checks a graph's inputs and outputs against the package's names and dimensions (L, H, V). */
    private static void verify(
            OrtSession session, GraphSignature s, long l, long h, long v, String file, boolean wholeSequence)
            throws OrtException {
        Map<String, NodeInfo> in = session.getInputInfo();
        Map<String, NodeInfo> out = session.getOutputInfo();
        if (!in.keySet().equals(Set.of(s.token(), s.h(), s.c()))) {
            throw new PackageException(file + ": the graph's inputs are " + in.keySet() + ", vocab.json names "
                    + List.of(s.token(), s.h(), s.c()));
        }
        if (!out.keySet().containsAll(Set.of(s.logits(), s.hOut(), s.cOut()))) {
            throw new PackageException(file + ": the graph's outputs are " + out.keySet() + ", vocab.json names "
                    + List.of(s.logits(), s.hOut(), s.cOut()));
        }
        if (wholeSequence) {
            expect(file, in, s.token(), OnnxJavaType.INT64, -1, -1);
            expect(file, out, s.logits(), OnnxJavaType.FLOAT, -1, -1, v);
        } else {
            expect(file, in, s.token(), OnnxJavaType.INT64, -1);
            expect(file, out, s.logits(), OnnxJavaType.FLOAT, -1, v);
        }
        expect(file, in, s.h(), OnnxJavaType.FLOAT, l, -1, h);
        expect(file, in, s.c(), OnnxJavaType.FLOAT, l, -1, h);
        expect(file, out, s.hOut(), OnnxJavaType.FLOAT, l, -1, h);
        expect(file, out, s.cOut(), OnnxJavaType.FLOAT, l, -1, h);
    }

    private static void expect(
            String file, Map<String, NodeInfo> nodes, String name, OnnxJavaType type, long... shape) {
        if (!(nodes.get(name).getInfo() instanceof TensorInfo)) {
            throw new PackageException(file + ": " + name + " is not a tensor");
        }
        TensorInfo t = (TensorInfo) nodes.get(name).getInfo();
        long[] actual = t.getShape();
        boolean ok = t.type == type && actual.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            // -1 is the symbolic batch dimension, on both sides
            ok = shape[i] == actual[i] || shape[i] == -1 && actual[i] < 0;
        }
        if (!ok) {
            throw new PackageException(file + ": " + name + " is " + t.type + " "
                    + Arrays.toString(actual) + ", but vocab.json describes " + type + " "
                    + dims(shape)
                    + " (V, H and L must match the graph)");
        }
    }

    /** A shape in words: the symbolic dimensions named (T for time, first in a sequence graph's tensors). */
    private static String dims(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            boolean time = shape[i] == -1 && i == 0 && shape.length > 1 && shape[1] == -1;
            sb.append(i == 0 ? "" : ", ").append(shape[i] >= 0 ? Long.toString(shape[i]) : time ? "T" : "batch");
        }
        return sb.append(']').toString();
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // already failing; the first error is the one to report
            }
        }
    }

    /**
     * Runs tokens through the model from a given state: with the sequence graph in one call, or with the step graph
     * one step at a time when the package has no sequence graph. The caller holds {@link #enter()}.
     *
     * @param tokens [T, batch], time-major: {@code tokens[t * batch + b]}
     * @param steps T
     * @param batch rows
     * @param h [L, batch, H] in; the final hidden state out
     * @param c [L, batch, H] in; the final cell state out
     * @param logits receives [T, batch, V] logits, or only the last step's [batch, V] when {@code lastOnly}
     * @param lastOnly whether only the last step's logits are wanted
     * @throws OrtException if ONNX Runtime fails
     */
    void runSequence(
            long[] tokens, int steps, int batch, FloatBuffer h, FloatBuffer c, FloatBuffer logits, boolean lastOnly)
            throws OrtException {
        long[] stateShape = {layers, batch, hidden};
        OrtSession seq = sequence();
        if (seq != null) {
            try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {steps, batch});
                    OnnxTensor th = OnnxTensor.createTensor(env, h.duplicate().rewind(), stateShape);
                    OnnxTensor tc = OnnxTensor.createTensor(env, c.duplicate().rewind(), stateShape);
                    OrtSession.Result r =
                            seq.run(Map.of(sequenceNames.token(), t, sequenceNames.h(), th, sequenceNames.c(), tc))) {
                FloatBuffer all = output(r, sequenceNames.logits());
                int size = batch * vocabSize;
                logits.put(0, all, lastOnly ? (steps - 1) * size : 0, lastOnly ? size : steps * size);
                h.put(0, output(r, sequenceNames.hOut()), 0, layers * batch * hidden);
                c.put(0, output(r, sequenceNames.cOut()), 0, layers * batch * hidden);
            }
            return;
        }
        long[] step = new long[batch];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(tokens, s * batch, step, 0, batch);
            try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(step), new long[] {batch});
                    OnnxTensor th = OnnxTensor.createTensor(env, h.duplicate().rewind(), stateShape);
                    OnnxTensor tc = OnnxTensor.createTensor(env, c.duplicate().rewind(), stateShape);
                    OrtSession.Result r = session.run(Map.of(names.token(), t, names.h(), th, names.c(), tc))) {
                int size = batch * vocabSize;
                if (!lastOnly || s == steps - 1) {
                    logits.put(lastOnly ? 0 : s * size, output(r, names.logits()), 0, size);
                }
                h.put(0, output(r, names.hOut()), 0, layers * batch * hidden);
                c.put(0, output(r, names.cOut()), 0, layers * batch * hidden);
            }
        }
    }

    private static FloatBuffer output(OrtSession.Result r, String name) {
        return ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
    }

    /** Begins a graph call. @throws IllegalStateException if the model is closed */
    void enter() {
        callsInFlight.incrementAndGet();
        if (closed) {
            callsInFlight.decrementAndGet();
            throw closedException();
        }
    }

    /** Ends a graph call begun by {@link #enter()}. */
    void exit() {
        callsInFlight.decrementAndGet();
    }

    boolean isClosed() {
        return closed;
    }

    static ModelClosedException closedException() {
        return new ModelClosedException();
    }

    /** Marks the graph closed, then waits for the calls already running (each is one graph step). */
    void drain() {
        closed = true;
        while (callsInFlight.get() > 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    /** Frees the sessions; only after {@link #drain()}. */
    @Override
    public void close() {
        closeQuietly(session);
        synchronized (this) {
            closeQuietly(sequenceSession);
            sequenceSession = null;
        }
    }
}
