package dev.charlstm.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.charlstm.runtime.SamplingParameters;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.LogitSampler;
import dev.charlstm.runtime.internal.SplitMix64;
import dev.charlstm.trainer.model.CharLstm;
import java.nio.FloatBuffer;

/**
 * The tutorial's {@code write()}: primes the model with a prompt, then samples one character per step from the
 * softmax of its logits, carrying (h, c). Used for the samples printed while training; the runtime SDK is what
 * serves generation.
 *
 * <p>Not thread-safe: it uses the model it is given.
 */
final class SampleWriter {

    private SampleWriter() {}

    /**
     * @param model the model
     * @param store its parameter store
     * @param manager a manager for temporaries (closed by the caller)
     * @param vocab the vocabulary
     * @param prompt the prompt; characters outside the vocabulary are skipped
     * @param length characters to generate
     * @param seed sampling seed
     * @return the prompt (as used) followed by the sampled continuation
     */
    static String write(
            CharLstm model,
            ParameterStore store,
            NDManager manager,
            Vocabulary vocab,
            String prompt,
            int length,
            long seed) {
        int[] ids = prompt.codePoints().map(vocab::idOf).filter(id -> id >= 0).toArray();
        if (ids.length == 0) {
            ids = new int[] {0};
        }
        StringBuilder out = new StringBuilder(vocab.decode(ids));
        SplitMix64 rng = new SplitMix64(seed);
        LogitSampler sampler = new LogitSampler(vocab.size());
        SamplingParameters multinomial = new SamplingParameters(false, 1f, 0, 1f, 1f);
        try (NDManager m = manager.newSubManager()) {
            NDList in = new NDList(m.create(ids, new Shape(1, ids.length)));
            for (int i = 0; i < length; i++) {
                NDList res = model.forward(store, in, false);
                NDArray logits = res.get(0);
                float[] last = logits.get(0, logits.getShape().get(1) - 1).toFloatArray();
                int next = sampler.sample(FloatBuffer.wrap(last), 0, multinomial, null, 0, rng);
                out.appendCodePoint(vocab.codePoint(next));
                in = new NDList(m.create(new int[] {next}, new Shape(1, 1)), res.get(1), res.get(2));
            }
        }
        return out.toString();
    }
}
