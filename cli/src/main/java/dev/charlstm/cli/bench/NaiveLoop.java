package dev.charlstm.cli.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlstm.runtime.SamplingParameters;
import dev.charlstm.runtime.internal.LogitSampler;
import dev.charlstm.runtime.internal.SplitMix64;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The straightforward way to run the graph — new arrays and tensors every step, outputs copied out — kept only as
 * the benchmark's baseline for the zero-copy loop of {@code GenerationStream}. Not thread-safe.
 */
final class NaiveLoop {

    private NaiveLoop() {}

    /** @return nanoseconds to generate {@code n} characters after a one-character prompt */
    static long run(ModelPackage pkg, int n, long seed) throws OrtException {
        ModelManifest info = pkg.manifest();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(pkg.modelBytes(), so)) {
                int layers = info.shape().layers();
                int hidden = info.shape().hiddenSize();
                float[][][] h = new float[layers][1][hidden];
                float[][][] c = new float[layers][1][hidden];
                SplitMix64 rng = new SplitMix64(seed);
                SamplingParameters multinomial = new SamplingParameters(false, 1f, 0, 1f, 1f);
                long token = 0;
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, new long[] {token});
                            OnnxTensor th = OnnxTensor.createTensor(env, h);
                            OnnxTensor tc = OnnxTensor.createTensor(env, c);
                            OrtSession.Result r = session.run(Map.of(
                                    info.signature().token(),
                                    t,
                                    info.signature().h(),
                                    th,
                                    info.signature().c(),
                                    tc))) {
                        float[][] logits = (float[][])
                                r.get(info.signature().logits()).orElseThrow().getValue();
                        h = (float[][][])
                                r.get(info.signature().hOut()).orElseThrow().getValue();
                        c = (float[][][])
                                r.get(info.signature().cOut()).orElseThrow().getValue();
                        // new LogitSampler each step too: this loop is the allocate-everything baseline
                        token = new LogitSampler(info.shape().vocabSize())
                                .sample(FloatBuffer.wrap(logits[0]), 0, multinomial, null, 0, rng);
                    }
                }
                return System.nanoTime() - start;
            }
        }
    }
}
