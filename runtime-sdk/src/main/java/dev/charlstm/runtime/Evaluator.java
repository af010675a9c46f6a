package dev.charlstm.runtime;

import ai.onnxruntime.OrtException;
import dev.charlstm.runtime.pack.LineItems;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.Provenance;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@link CharLstmModel#evaluate}: windows from zero state, many per graph call. Stateless. */
final class Evaluator {

    /** The most steps one graph call runs: longer windows go through in chunks, their state carried over. */
    static final int CHUNK = 256;
    /** The most logits one graph call returns (floats): 64 MB, whatever the window or the vocabulary. */
    static final long LOGITS_BUDGET = 16L << 20;

    private Evaluator() {}

    /**
     * @return {steps, windows} of one graph call: at most {@link #CHUNK} steps, and at most {@link #LOGITS_BUDGET}
     *     logits (at least one window), whatever the window, vocabulary or windows per call asked for
     */
    static int[] callShape(int window, int vocabSize, int windows, int windowsPerCall) {
        int steps = Math.min(window, CHUNK);
        int perCall = (int)
                Math.max(1, Math.min(Math.min(windowsPerCall, windows), LOGITS_BUDGET / ((long) steps * vocabSize)));
        return new int[] {steps, perCall};
    }

    static EvaluationResult evaluate(CharLstmModel model, CharSequence text, EvaluationOptions options) {
        if (model.manifest().lines()) {
            return evaluateItems(model, text, options);
        }
        long start = System.nanoTime();
        Provenance p = model.manifest().provenance();
        int window = options.window() > 0 ? options.window() : p.valWindow() == null ? 0 : p.valWindow();
        if (window <= 0) {
            throw new IllegalArgumentException("the package records no validation window: give one (eval --window)");
        }
        int[] ids = encode(
                model, options.cleanText() ? model.manifest().textCleaning().clean(text.toString()) : text);
        int first = 0;
        if (!options.wholeText()) {
            double fraction = !Double.isNaN(options.heldOutFraction())
                    ? options.heldOutFraction()
                    : p.valFraction() == null ? Double.NaN : p.valFraction();
            if (Double.isNaN(fraction)) {
                throw new IllegalArgumentException("the package records no held-out fraction: give one"
                        + " (eval --held-out), or score the whole text (eval --all)");
            }
            first = EvaluationOptions.heldOutStart(ids.length, fraction);
        }
        int length = ids.length - first;
        int windows = EvaluationOptions.windows(length, window);
        if (windows == 0) {
            throw new IllegalArgumentException("the " + (options.wholeText() ? "text" : "held-out tail of the text")
                    + " has " + length + " character" + (length == 1 ? "" : "s") + ", too few for one window of "
                    + window + " (a window needs " + (window + 1L) + ": " + window + " inputs and the character after"
                    + " them); give a shorter window (eval --window)"
                    + (options.wholeText() ? "" : ", or score the whole text (eval --all)"));
        }
        Graph graph = model.graph();
        int v = graph.vocabSize;
        // Memory is bounded by the options, whatever the window: a call covers at most CHUNK steps (the state carries
        // over to the next chunk of the same windows) and its logits at most LOGITS_BUDGET floats
        int[] shape = callShape(window, v, windows, options.windowsPerCall());
        int steps = shape[0];
        int perCall = shape[1];
        // Each window's cross-entropy summed on its own, then the windows in order: the total's rounding does not
        // depend on how many windows share a graph call
        double[] perWindow = new double[windows];
        long[] tokens = new long[steps * perCall];
        FloatBuffer logits = FloatBuffer.allocate(steps * perCall * v);
        for (int w0 = 0; w0 < windows; w0 += perCall) {
            int b = Math.min(perCall, windows - w0);
            int state = graph.layers * b * graph.hidden;
            FloatBuffer h = FloatBuffer.allocate(state);
            FloatBuffer c = FloatBuffer.allocate(state);
            for (int t0 = 0; t0 < window; t0 += steps) {
                int n = Math.min(steps, window - t0);
                for (int t = 0; t < n; t++) {
                    for (int k = 0; k < b; k++) {
                        tokens[t * b + k] = ids[first + (w0 + k) * window + t0 + t];
                    }
                }
                run(graph, Arrays.copyOf(tokens, n * b), n, b, h, c, logits);
                for (int t = 0; t < n; t++) {
                    for (int k = 0; k < b; k++) {
                        int at = (t * b + k) * v;
                        int target = ids[first + (w0 + k) * window + t0 + t + 1];
                        // -log softmax(logits)[target], in double
                        perWindow[w0 + k] += CharacterLogprob.logSumExp(logits, at, v) - logits.get(at + target);
                    }
                }
            }
        }
        double total = 0;
        for (double x : perWindow) {
            total += x;
        }
        long characters = (long) windows * window;
        return new EvaluationResult(
                total / characters,
                characters,
                windows,
                window,
                first,
                ids.length,
                graph.sequenceNames != null ? "sequence" : "step",
                System.nanoTime() - start);
    }

    /**
     * A list's loss, makemore's definition: every item (or the held-out ones) from the zero state after a
     * {@code '\n'}, the cross-entropy of each of its characters and of its end summed over all items and divided by
     * their number (characters + 1 per item). Items go through the sequence graph many at a time, padded to the
     * longest of their call (the padding's logits are ignored).
     */
    private static EvaluationResult evaluateItems(CharLstmModel model, CharSequence text, EvaluationOptions options) {
        long start = System.nanoTime();
        ModelManifest manifest = model.manifest();
        List<String> all = options.cleanText()
                ? manifest.textCleaning().items(text.toString())
                : Arrays.stream(text.toString().split("\n", -1))
                        .filter(l -> !l.isEmpty())
                        .toList();
        List<String> items = all;
        if (!options.wholeText()) {
            LineItems recorded = manifest.items();
            double fraction = !Double.isNaN(options.heldOutFraction())
                    ? options.heldOutFraction()
                    : recorded == null ? Double.NaN : recorded.heldOutFraction();
            if (recorded == null || Double.isNaN(fraction)) {
                throw new IllegalArgumentException(
                        "the package records no held-out split of its items: score every" + " item (eval --all)");
            }
            boolean[] held = EvaluationOptions.heldOutItems(all.size(), fraction, recorded.splitSeed());
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < held.length; i++) {
                if (held[i]) {
                    chosen.add(all.get(i));
                }
            }
            items = chosen;
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("the " + (options.wholeText() ? "text" : "held-out part of the list")
                    + " has no items (" + all.size() + " item" + (all.size() == 1 ? "" : "s") + " in all)"
                    + (options.wholeText() ? "" : "; score every item (eval --all)"));
        }
        Graph graph = model.graph();
        int v = graph.vocabSize;
        int end = manifest.vocabulary().idOf('\n');
        int[][] ids = new int[items.size()][];
        for (int i = 0; i < ids.length; i++) {
            try {
                ids[i] = encode(model, items.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "item " + (i + 1) + " (\"" + items.get(i) + "\"): " + e.getMessage(), e);
            }
        }
        double total = 0;
        long scored = 0;
        for (int i0 = 0; i0 < ids.length; ) {
            // as many items as the logits budget allows for the longest of them
            int longest = 0;
            int b = 0;
            while (i0 + b < ids.length && b < options.windowsPerCall()) {
                int len = Math.max(longest, ids[i0 + b].length + 1);
                if (b > 0 && (long) (b + 1) * Math.min(len, CHUNK) * v > LOGITS_BUDGET) {
                    break;
                }
                longest = len;
                b++;
            }
            int state = graph.layers * b * graph.hidden;
            FloatBuffer h = FloatBuffer.allocate(state);
            FloatBuffer c = FloatBuffer.allocate(state);
            double[] perItem = new double[b];
            for (int t0 = 0; t0 < longest; t0 += CHUNK) {
                int n = Math.min(CHUNK, longest - t0);
                long[] tokens = new long[n * b];
                for (int t = 0; t < n; t++) {
                    for (int k = 0; k < b; k++) {
                        int[] item = ids[i0 + k];
                        int at = t0 + t; // input at position `at`: the end symbol, then the item's characters
                        tokens[t * b + k] = at == 0 || at > item.length ? end : item[at - 1];
                    }
                }
                FloatBuffer logits = FloatBuffer.allocate(n * b * v);
                run(graph, tokens, n, b, h, c, logits);
                for (int t = 0; t < n; t++) {
                    for (int k = 0; k < b; k++) {
                        int[] item = ids[i0 + k];
                        int at = t0 + t;
                        if (at > item.length) {
                            continue; // padding
                        }
                        int target = at < item.length ? item[at] : end;
                        int o = (t * b + k) * v;
                        perItem[k] += CharacterLogprob.logSumExp(logits, o, v) - logits.get(o + target);
                    }
                }
            }
            for (int k = 0; k < b; k++) {
                total += perItem[k];
                scored += ids[i0 + k].length + 1;
            }
            i0 += b;
        }
        return new EvaluationResult(
                total / scored,
                scored,
                items.size(),
                0,
                0,
                all.size(),
                graph.sequenceNames != null ? "sequence" : "step",
                System.nanoTime() - start);
    }

    /**
     * {@link CharLstmModel#logprobs}: one window from zero state over the whole text, {@link #CHUNK} steps a call
     * with the state carried over.
     */
    static List<CharacterLogprob> logprobs(CharLstmModel model, CharSequence text, int top) {
        if (top < 0) {
            throw new IllegalArgumentException("top logprobs must be >= 0, got " + top);
        }
        int[] ids = model.encode(text, GenerationOptions.DEFAULT);
        List<CharacterLogprob> out = new ArrayList<>(Math.max(0, ids.length - 1));
        if (ids.length < 2) {
            return out;
        }
        Graph graph = model.graph();
        int v = graph.vocabSize;
        FloatBuffer h = FloatBuffer.allocate(graph.layers * graph.hidden);
        FloatBuffer c = FloatBuffer.allocate(graph.layers * graph.hidden);
        FloatBuffer logits = FloatBuffer.allocate(CHUNK * v);
        int inputs = ids.length - 1;
        for (int t0 = 0; t0 < inputs; t0 += CHUNK) {
            int n = Math.min(CHUNK, inputs - t0);
            long[] tokens = new long[n];
            for (int t = 0; t < n; t++) {
                tokens[t] = ids[t0 + t];
            }
            run(graph, tokens, n, 1, h, c, logits);
            for (int t = 0; t < n; t++) {
                out.add(CharacterLogprob.of(logits, t * v, v, ids[t0 + t + 1], top, model.characterStrings));
            }
        }
        return out;
    }

    /** One call of the sequence graph over {@code steps} x {@code batch} tokens, the state carried in h and c. */
    private static void run(
            Graph graph, long[] tokens, int steps, int batch, FloatBuffer h, FloatBuffer c, FloatBuffer logits) {
        graph.enter();
        try {
            graph.runSequence(tokens, steps, batch, h, c, logits, false);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to score the text: " + e.getMessage(), e);
        } finally {
            graph.exit();
        }
    }

    /** The model's one encoder, with the error worded for a text rather than a prompt. */
    private static int[] encode(CharLstmModel model, CharSequence text) {
        try {
            return model.encode(text, GenerationOptions.DEFAULT);
        } catch (UnknownCharacterException e) {
            throw new IllegalArgumentException(
                    "character " + Vocabulary.describe(e.codePoint()) + " at index "
                            + e.index()
                            + " (code points) of the text is not in the model's vocabulary: is this the text it"
                            + " was trained on, cleaned as its manifest says?",
                    e);
        }
    }
}
