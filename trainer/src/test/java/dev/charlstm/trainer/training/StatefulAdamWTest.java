package dev.charlstm.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StatefulAdamWTest {

    private static final float[] W0 = {1f, -2f, 0.5f};
    private static final float[] G = {0.3f, -1.2f, 2f};

    @BeforeAll
    static void engine() {
        TorchEngine.start(0);
    }

    private static ParameterList param(NDManager m) {
        NDArray w = m.create(W0.clone());
        w.setRequiresGradient(true);
        Parameter p = Parameter.builder()
                .setName("w")
                .setType(Parameter.Type.WEIGHT)
                .optArray(w)
                .build();
        ParameterList list = new ParameterList();
        list.add("w", p);
        return list;
    }

    /** Sets the gradient of w to G by back-propagating sum(w * G). */
    private static void gradient(NDManager m, ParameterList params) {
        NDArray w = params.get("w").getArray();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(w.mul(m.create(G)).sum());
        }
    }

    @Test
    void matchesTheAdamWFormulaWithGradientScaling() {
        float lr = 0.01f;
        float wd = 0.1f;
        float scale = 0.5f;
        try (NDManager m = NDManager.newBaseManager();
                StatefulAdamW opt = new StatefulAdamW(m, wd)) {
            ParameterList params = param(m);
            double[] w = {W0[0], W0[1], W0[2]};
            double[] mean = new double[3];
            double[] var = new double[3];
            for (int t = 1; t <= 3; t++) {
                gradient(m, params);
                assertEquals(Math.sqrt(0.09 + 1.44 + 4), StatefulAdamW.gradientNorm(params), 1e-5);
                opt.update(params, lr, scale);
                for (int i = 0; i < 3; i++) {
                    double g = G[i] * scale;
                    w[i] -= lr * wd * w[i]; // decoupled weight decay, as torch.optim.AdamW
                    mean[i] = 0.9 * mean[i] + 0.1 * g;
                    var[i] = 0.999 * var[i] + 0.001 * g * g;
                    double mHat = mean[i] / (1 - Math.pow(0.9, t));
                    double vHat = var[i] / (1 - Math.pow(0.999, t));
                    w[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                float[] actual = params.get("w").getArray().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(w[i], actual[i], 1e-5, "step " + t + " element " + i);
                }
            }
            assertEquals(3, opt.step());
        }
    }

    @Test
    void epsilonSitsWhereTorchPutsItEvenForTinyGradients() {
        // With |g| near eps, where eps goes decides the step: torch divides by sqrt(v / bc2) + eps.
        float lr = 0.01f;
        try (NDManager m = NDManager.newBaseManager();
                StatefulAdamW opt = new StatefulAdamW(m, 0f)) {
            NDArray w = m.create(new float[] {1f, 1f});
            w.setRequiresGradient(true);
            ParameterList params = new ParameterList();
            params.add(
                    "w",
                    Parameter.builder()
                            .setName("w")
                            .setType(Parameter.Type.WEIGHT)
                            .optArray(w)
                            .build());
            float[] g = {1e-7f, -3e-8f};
            double[] mean = new double[2];
            double[] var = new double[2];
            double[] expected = {1, 1};
            for (int t = 1; t <= 3; t++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(m.create(g)).sum());
                }
                opt.update(params, lr, 1f);
                for (int i = 0; i < 2; i++) {
                    mean[i] = 0.9 * mean[i] + 0.1 * g[i];
                    var[i] = 0.999 * var[i] + 0.001 * g[i] * g[i];
                    expected[i] -= lr
                            * (mean[i] / (1 - Math.pow(0.9, t)))
                            / (Math.sqrt(var[i] / (1 - Math.pow(0.999, t))) + 1e-8);
                }
                float[] actual = w.toFloatArray();
                for (int i = 0; i < 2; i++) {
                    assertEquals(expected[i], actual[i], 2e-6, "step " + t + " element " + i);
                }
            }
        }
    }

    @Test
    void savedStateContinuesExactly() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
                StatefulAdamW a = new StatefulAdamW(m, 0.01f);
                StatefulAdamW b = new StatefulAdamW(m, 0.01f)) {
            ParameterList pa = param(m);
            for (int t = 0; t < 4; t++) {
                gradient(m, pa);
                a.update(pa, 0.05f, 1f);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.save(new DataOutputStream(bytes));

            ParameterList pb = param(m);
            pb.get("w").getArray().set(pa.get("w").getArray().toFloatArray());
            b.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), pb);
            assertEquals(4, b.step());
            gradient(m, pa);
            a.update(pa, 0.05f, 1f);
            gradient(m, pb);
            b.update(pb, 0.05f, 1f);
            assertArrayEquals(
                    pa.get("w").getArray().toFloatArray(),
                    pb.get("w").getArray().toFloatArray());
        }
    }
}
