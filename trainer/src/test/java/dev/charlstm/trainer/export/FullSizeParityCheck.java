package dev.charlstm.trainer.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.model.CharLstm;
import dev.charlstm.trainer.training.TorchEngine;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Parity and export time on a real checkpoint (not run in CI, which has none):
 * {@code mvn -pl runtime-sdk,trainer test -Dtest=FullSizeParityCheck -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcharlstm.checkpoint=runs/cpu-moby/best.ckpt}.
 */
@EnabledIfSystemProperty(named = "charlstm.checkpoint", matches = ".+")
class FullSizeParityCheck {

    @Test
    void djlWholeSequenceEqualsOrtStepByStep() throws Exception {
        TorchEngine.start(0);
        Path file = Path.of(System.getProperty("charlstm.checkpoint"));
        if (!file.isAbsolute()) {
            file = Path.of("..").resolve(file);
        }
        Checkpoint ckpt = Checkpoint.read(file);
        var cfg = ckpt.metadata().config().shape(ckpt.metadata().vocabulary().length);
        try (NDManager m = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(cfg);
            model.initialize(m);
            ckpt.loadParameters(model, m);
            long t0 = System.nanoTime();
            byte[] onnx = OnnxExporter.export(model);
            double exportMs = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            PackageExporter.build(ckpt);
            double packageMs = (System.nanoTime() - t0) / 1e6;

            int n = 200;
            int v = cfg.vocabSize();
            int[] tokens = new SplittableRandom(1).ints(n, 0, v).toArray();
            float[] djl = model.forward(
                            new ParameterStore(m, false), new NDList(m.create(tokens, new Shape(1, n))), false)
                    .get(0)
                    .toFloatArray();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            double max = 0;
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession s = env.createSession(onnx, o)) {
                    long[] shape = {cfg.layers(), 1, cfg.hiddenSize()};
                    float[] h = new float[cfg.layers() * cfg.hiddenSize()];
                    float[] c = new float[h.length];
                    for (int t = 0; t < n; t++) {
                        try (OnnxTensor tt = OnnxTensor.createTensor(env, new long[] {tokens[t]});
                                OnnxTensor th = OnnxTensor.createTensor(env, FloatBuffer.wrap(h), shape);
                                OnnxTensor tc = OnnxTensor.createTensor(env, FloatBuffer.wrap(c), shape);
                                OrtSession.Result r = s.run(Map.of("token", tt, "h", th, "c", tc))) {
                            FloatBuffer logits = ((OnnxTensor) r.get("logits").get()).getFloatBuffer();
                            for (int i = 0; i < v; i++) {
                                max = Math.max(max, Math.abs(logits.get(i) - djl[t * v + i]));
                            }
                            ((OnnxTensor) r.get("h_out").get()).getFloatBuffer().get(h);
                            ((OnnxTensor) r.get("c_out").get()).getFloatBuffer().get(c);
                        }
                    }
                }
            }
            System.out.printf(
                    "full-size parity (%s, %d params): max |logit diff| over %d steps = %.3g;"
                            + " graph export %.0f ms, whole package build %.0f ms, model.onnx %d bytes%n",
                    cfg, cfg.parameterCount(), n, max, exportMs, packageMs, onnx.length);
            assertTrue(max <= 1e-4, "max abs difference " + max);
        }
    }
}
