package dev.charlstm.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.charlstm.runtime.pack.ModelShape;
import dev.charlstm.trainer.training.TorchEngine;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CharLstmTest {

    @BeforeAll
    static void engine() {
        TorchEngine.start(0).setRandomSeed(11);
    }

    @Test
    void wholeSequenceEqualsStepByStepWithCarriedState() {
        // The tutorial's first demo, in DJL: one pass over the sequence equals one token at a time with (h, c).
        ModelShape config = new ModelShape(12, 8, 16, 2, 0f);
        int batch = 3;
        int steps = 25;
        try (NDManager m = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(config);
            model.initialize(m);
            ParameterStore store = new ParameterStore(m, false);
            SplittableRandom rng = new SplittableRandom(5);
            int[] tokens = rng.ints(batch * steps, 0, 12).toArray();
            NDArray x = m.create(tokens, new Shape(batch, steps));

            NDList whole = model.forward(store, new NDList(x), false);
            assertEquals(new Shape(batch, steps, 12), whole.get(0).getShape());
            assertEquals(new Shape(2, batch, 16), whole.get(1).getShape());
            assertEquals(new Shape(2, batch, 16), whole.get(2).getShape());

            NDArray h = m.zeros(new Shape(2, batch, 16));
            NDArray c = m.zeros(new Shape(2, batch, 16));
            double maxDiff = 0;
            for (int t = 0; t < steps; t++) {
                NDArray token = x.get(new NDIndex(":, {}:{}", t, t + 1));
                NDList out = model.forward(store, new NDList(token, h, c), false);
                NDArray expected = whole.get(0).get(new NDIndex(":, {}:{}, :", t, t + 1));
                maxDiff = Math.max(maxDiff, out.get(0).sub(expected).abs().max().getFloat());
                h = out.get(1);
                c = out.get(2);
            }
            maxDiff = Math.max(maxDiff, h.sub(whole.get(1)).abs().max().getFloat());
            maxDiff = Math.max(maxDiff, c.sub(whole.get(2)).abs().max().getFloat());
            assertTrue(maxDiff <= 1e-5, "max abs difference " + maxDiff);
        }
    }

    @Test
    void parametersAreNamedAndInitialisedLikePyTorch() {
        ModelShape config = new ModelShape(200, 64, 100, 2, 0f);
        try (NDManager m = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(config);
            model.initialize(m);
            var params = model.getParameters();
            assertArrayEquals(
                    new String[] {
                        "embedding",
                        "01lstm_l_0_i2h_WEIGHT",
                        "01lstm_l_0_h2h_WEIGHT",
                        "01lstm_l_0_i2h_BIAS",
                        "01lstm_l_0_h2h_BIAS",
                        "01lstm_l_1_i2h_WEIGHT",
                        "01lstm_l_1_h2h_WEIGHT",
                        "01lstm_l_1_i2h_BIAS",
                        "01lstm_l_1_h2h_BIAS",
                        "02head_weight",
                        "02head_bias"
                    },
                    params.keys().toArray(new String[0]));
            long total = 0;
            for (var p : params) {
                total += p.getValue().getArray().size();
            }
            assertEquals(config.parameterCount(), total);

            NDArray emb = params.get("embedding").getArray();
            assertEquals(new Shape(200, 64), emb.getShape());
            double std = Math.sqrt(emb.pow(2).mean().getFloat());
            assertTrue(std > 0.95 && std < 1.05, "embedding ~ N(0, 1), std " + std);

            float bound = (float) (1 / Math.sqrt(100));
            for (String name :
                    new String[] {"01lstm_l_0_i2h_WEIGHT", "01lstm_l_1_h2h_BIAS", "02head_weight", "02head_bias"}) {
                Parameter p = params.get(name);
                float max = p.getArray().abs().max().getFloat();
                assertTrue(max <= bound && max > 0.9f * bound, name + " ~ U(±1/√H): max |w| " + max);
            }
            assertEquals(
                    new Shape(400, 64),
                    params.get("01lstm_l_0_i2h_WEIGHT").getArray().getShape());
            assertEquals(
                    new Shape(400, 100),
                    params.get("01lstm_l_1_i2h_WEIGHT").getArray().getShape());
            assertEquals(
                    new Shape(200, 100), params.get("02head_weight").getArray().getShape());
        }
    }
}
