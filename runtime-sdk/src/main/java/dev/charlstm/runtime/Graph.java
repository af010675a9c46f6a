package dev.charlstm.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The ONNX Runtime session over a package's single-step graph, checked against the package's description, and the
 * guard that keeps native memory alive while a graph call runs: every call is bracketed by {@link #enter()} and
 * {@link #exit()}, and {@link #drain()} marks the graph closed and waits for the calls in flight, never for more
 * (new calls fail at once), so closing cannot be starved by busy threads.
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
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private volatile boolean closed;

    private Graph(OrtEnvironment env, OrtSession session, ModelManifest info, String provider) {
        this.env = env;
        this.session = session;
        this.names = info.signature();
        this.layers = info.shape().layers();
        this.hidden = info.shape().hiddenSize();
        this.vocabSize = info.shape().vocabSize();
        this.provider = provider;
    }

    /**
     * Creates the session and checks the graph's inputs and outputs against the package.
     *
     * @throws PackageException if ONNX Runtime cannot load the graph or it does not match; nothing stays open then
     */
    static Graph open(ModelPackage pkg, RuntimeOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            String provider = Providers.add(so, options.provider());
            session = env.createSession(pkg.modelBytes(), so);
            verifySignature(session, pkg.manifest(), pkg.modelSource());
            return new Graph(env, session, pkg.manifest(), provider);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new PackageException(pkg.modelSource() + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** Checks the graph's inputs and outputs against the package's names and dimensions. */
    private static void verifySignature(OrtSession session, ModelManifest info, String file) throws OrtException {
        GraphSignature s = info.signature();
        Map<String, NodeInfo> in = session.getInputInfo();
        Map<String, NodeInfo> out = session.getOutputInfo();
        if (!in.keySet().equals(Set.of(s.token(), s.h(), s.c()))) {
            throw new PackageException(file + ": the graph's inputs are " + in.keySet()
                    + ", vocab.json names " + List.of(s.token(), s.h(), s.c()));
        }
        if (!out.keySet().containsAll(Set.of(s.logits(), s.hOut(), s.cOut()))) {
            throw new PackageException(file + ": the graph's outputs are " + out.keySet()
                    + ", vocab.json names " + List.of(s.logits(), s.hOut(), s.cOut()));
        }
        long l = info.shape().layers();
        long h = info.shape().hiddenSize();
        expect(file, in, s.token(), OnnxJavaType.INT64, -1);
        expect(file, in, s.h(), OnnxJavaType.FLOAT, l, -1, h);
        expect(file, in, s.c(), OnnxJavaType.FLOAT, l, -1, h);
        expect(file, out, s.logits(), OnnxJavaType.FLOAT, -1, info.shape().vocabSize());
        expect(file, out, s.hOut(), OnnxJavaType.FLOAT, l, -1, h);
        expect(file, out, s.cOut(), OnnxJavaType.FLOAT, l, -1, h);
    }

    private static void expect(String file, Map<String, NodeInfo> nodes, String name, OnnxJavaType type,
            long... shape) {
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
                    + Arrays.toString(shape).replace("-1", "batch")
                    + " (V, H and L must match the graph)");
        }
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

    static IllegalStateException closedException() {
        return new IllegalStateException("the model is closed");
    }

    /** Marks the graph closed, then waits for the calls already running (each is one graph step). */
    void drain() {
        closed = true;
        while (callsInFlight.get() > 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    /** Frees the session; only after {@link #drain()}. */
    @Override
    public void close() {
        closeQuietly(session);
    }
}
