package dev.charlstm.runtime;

import dev.charlstm.runtime.sampling.LogitSampler;
import dev.charlstm.runtime.sampling.SamplingParameters;
import dev.charlstm.runtime.sampling.SplitMix64;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates continuations of several prompts with one batched graph call per character. Each prompt is primed on
 * its own (prompts differ in length), then the states are gathered into one batch. Row {@code i} samples exactly as
 * a single stream seeded {@code seed + i} would. Stateless; each call owns its buffers.
 */
final class BatchGeneration {

    private BatchGeneration() {}

    static List<GenerationResult> run(CharLstmModel model, List<String> prompts, GenerationOptions options,
            BatchCharacterCallback callback) {
        int n = prompts.size();
        if (n == 0) {
            return List.of();
        }
        long start = System.nanoTime();
        int v = model.info().vocabSize();
        int layers = model.info().layers();
        int hidden = model.info().hiddenSize();
        Vocabulary vocab = model.info().vocabulary();
        SamplingParameters sampling = options.sampling();
        float[] primedLogits = new float[n * v];
        int[] promptCharacters = new int[n];
        RecentWindow[] recent = new RecentWindow[n];
        Stepper batch = model.newStepper(n);
        try {
            try (GenerationStream primer = model.newStream()) {
                float[] h1 = new float[layers * hidden];
                float[] c1 = new float[layers * hidden];
                for (int i = 0; i < n; i++) {
                    primer.reset();
                    promptCharacters[i] = primer.feed(prompts.get(i), options);
                    if (promptCharacters[i] == 0) {
                        throw new IllegalArgumentException("prompt " + i + " is empty: nothing to continue from");
                    }
                    StreamState s = primer.snapshot();
                    System.arraycopy(s.logits, 0, primedLogits, i * v, v);
                    batch.loadRow(i, s.h, s.c, layers, hidden);
                    recent[i] = s.recent;
                }
            }
            LogitSampler[] samplers = new LogitSampler[n];
            SplitMix64[] rngs = new SplitMix64[n];
            StopMatcher[] stops = new StopMatcher[n];
            StringBuilder[] texts = new StringBuilder[n];
            FinishReason[] reasons = new FinishReason[n];
            int[] generated = new int[n];
            long[] first = new long[n];
            for (int i = 0; i < n; i++) {
                samplers[i] = new LogitSampler(v);
                rngs[i] = new SplitMix64(options.seed() + i);
                stops[i] = new StopMatcher(options.stopSequences(), options.emitStopSequence());
                texts[i] = new StringBuilder();
                first[i] = -1;
            }
            FloatBuffer logits = FloatBuffer.wrap(primedLogits);
            int active = n;
            while (active > 0) {
                for (int i = 0; i < n; i++) {
                    if (reasons[i] != null) {
                        batch.token(i, 0); // a finished row still rides along; its output is ignored
                        continue;
                    }
                    if (generated[i] >= options.maxCharacters()) {
                        stops[i].flush();
                        emit(model, i, stops[i], texts[i], callback);
                        reasons[i] = FinishReason.LENGTH;
                        active--;
                        batch.token(i, 0);
                        continue;
                    }
                    int id = samplers[i].sample(logits, i * v, sampling, recent[i].ids, recent[i].count, rngs[i]);
                    generated[i]++;
                    if (first[i] < 0) {
                        first[i] = System.nanoTime() - start;
                    }
                    recent[i].add(id);
                    batch.token(i, id);
                    stops[i].push(vocab.codePoint(id));
                    boolean go = emit(model, i, stops[i], texts[i], callback);
                    if (stops[i].stopped() || !go) {
                        reasons[i] = stops[i].stopped() ? FinishReason.STOP_SEQUENCE : FinishReason.CANCELLED;
                        active--;
                    }
                }
                if (active > 0) {
                    model.step(batch);
                    logits = batch.logits();
                }
            }
            long elapsed = System.nanoTime() - start;
            List<GenerationResult> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                results.add(new GenerationResult(texts[i].toString(), reasons[i], promptCharacters[i], generated[i],
                        elapsed, first[i]));
            }
            return results;
        } finally {
            model.release(batch);
        }
    }

    /** Emits what the stop matcher releases; false if the callback asked to stop. */
    private static boolean emit(CharLstmModel model, int row, StopMatcher stop, StringBuilder text,
            BatchCharacterCallback callback) {
        boolean go = true;
        for (int k = 0; k < stop.releasable() && go; k++) {
            int cp = stop.held(k);
            text.appendCodePoint(cp);
            if (callback != null) {
                go = callback.onCharacter(row, model.characterString(cp));
            }
        }
        stop.release();
        return go;
    }
}
