package dev.charlstm.runtime;

import ai.onnxruntime.OrtException;
import dev.charlstm.runtime.internal.SplitMix64;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one decoding core: one generation on one row. It feeds the prompt, then samples one character per step,
 * matches stop sequences, emits characters, and decides when and why the generation ends. Every form of
 * generation drives it: the callback form, the iterator and stream forms, batches, and threads sharing graph
 * calls through the {@link Scheduler}. The drivers differ only in how they step rows ({@link #run}).
 *
 * <p>Order per character: sample it, feed it (the next graph step), then emit it. So the row's state includes
 * every character sampled, whatever a callback does, and a callback runs while other rows' steps may run.
 *
 * <p>Not thread-safe: its driving thread uses it.
 */
final class Decoder {

    /**
     * Prompts at least this long are primed through the sequence graph (when the package has one): below it,
     * stepping costs about as much as the sequence session's one-time creation, and in a shared batch a few more
     * rows cost little.
     */
    static final int PREFILL_MIN = 32;
    /** The most characters one sequence call primes: cancellation and closing wait at most one chunk. */
    static final int PREFILL_CHUNK = 256;

    private final Row row;
    private final Graph graph;
    private final Vocabulary vocab;
    private final GenerationOptions options;
    private final SamplingParameters sampling;
    private final int[] prompt;
    private final StopMatcher stop;
    private final SplitMix64 rng;
    private final CharacterCallback sink;
    private final String[] characterStrings;
    private final StringBuilder text = new StringBuilder();
    private final long start;
    private int fed;
    private int generated;
    private long firstNanos = -1;
    /** A sampled character was fed by the last step and waits in the stop matcher to be emitted. */
    private boolean sampledPending;

    private FinishReason reason;
    private RuntimeException error;
    /** Whether {@link #run} has this decoder's row joined to the scheduler. */
    private boolean joined;
    /** With logprobs: those of the sampled characters not yet emitted, in the stop matcher's order; else null. */
    private final ArrayDeque<CharacterLogprob> pendingLogprobs;
    /** With logprobs: those of the emitted characters, for the result; else null. */
    private final List<CharacterLogprob> logprobs;

    /**
     * @param prompt the prompt's token ids, already checked against the vocabulary
     * @param sink receives the emitted characters (one code point each)
     * @throws IllegalStateException if there is nothing to continue from
     */
    Decoder(Row row, CharLstmModel model, int[] prompt, GenerationOptions options, CharacterCallback sink) {
        if (prompt.length == 0 && !row.primed) {
            throw new IllegalStateException("nothing to continue from: feed a prompt first");
        }
        this.row = row;
        this.graph = model.graph();
        this.vocab = model.manifest().vocabulary();
        this.characterStrings = model.characterStrings;
        this.options = options;
        this.sampling = options.sampling();
        this.prompt = prompt;
        // stop sequences are matched against generated text, which is in the model's normal form: so are they
        this.stop = new StopMatcher(
                options.stopSequences().stream()
                        .map(s -> model.manifest().normalize(s).toString())
                        .toList(),
                options.emitStopSequence());
        this.rng = new SplitMix64(options.seed());
        this.sink = sink;
        this.start = System.nanoTime();
        this.pendingLogprobs = options.logprobs() ? new ArrayDeque<>() : null;
        this.logprobs = options.logprobs() ? new ArrayList<>() : null;
    }

    /**
     * Moves this generation on by one graph step: emits what the last step fed, then sets the row's next token (a
     * prompt character or a newly sampled one).
     *
     * @return true if the row needs a graph step now; false when the generation is over (every character it
     *     sampled has been fed)
     * @throws RuntimeException whatever the sink threw
     */
    boolean advance() {
        if (reason != null) {
            return false;
        }
        if (sampledPending) {
            sampledPending = false;
            boolean go = emit();
            if (stop.stopped()) {
                return finish(FinishReason.STOP_SEQUENCE);
            }
            if (!go) {
                return finish(FinishReason.CANCELLED);
            }
        }
        if (row.cancelRequested || row.closed || Thread.currentThread().isInterrupted()) {
            return finish(FinishReason.CANCELLED);
        }
        if (fed < prompt.length) {
            row.feed(prompt[fed++]);
            return true;
        }
        if (generated >= options.maxCharacters()) {
            stop.flush();
            emit();
            return finish(FinishReason.LENGTH);
        }
        int id = row.sampler.sample(row.stepper.logits(), 0, sampling, row.recent.ids, row.recent.count, rng);
        if (pendingLogprobs != null) { // before feed(): the next step overwrites these logits
            pendingLogprobs.add(CharacterLogprob.of(
                    row.stepper.logits(), 0, characterStrings.length, id, options.topLogprobs(), characterStrings));
        }
        generated++;
        if (firstNanos < 0) {
            firstNanos = System.nanoTime() - start;
        }
        row.feed(id);
        stop.push(vocab.codePoint(id));
        sampledPending = true;
        return true;
    }

    /**
     * Primes the rest of a long prompt through the sequence graph, a chunk per call, on the calling thread and
     * outside any batch (so it never delays other rows' steps, and a stream's state never depends on what else was
     * running). Does nothing for short prompts, for packages without a sequence graph, or once the prompt is fed.
     *
     * @throws IllegalStateException if the model is closed or ONNX Runtime fails
     */
    void prefill() {
        if (reason != null || prompt.length - fed < PREFILL_MIN || graph.sequenceNames == null) {
            return;
        }
        while (fed < prompt.length) {
            if (row.cancelRequested || row.closed || Thread.currentThread().isInterrupted()) {
                finish(FinishReason.CANCELLED);
                return;
            }
            int to = Math.min(prompt.length, fed + PREFILL_CHUNK);
            graph.enter();
            try {
                row.stepper.prefill(prompt, fed, to);
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed to prime the prompt: " + e.getMessage(), e);
            } finally {
                graph.exit();
            }
            for (int i = fed; i < to; i++) {
                row.recent.add(prompt[i]);
            }
            row.primed = true;
            fed = to;
        }
    }

    /** Emits the characters the stop matcher releases; false if the sink asked to stop. */
    private boolean emit() {
        boolean go = true;
        int n = stop.releasable();
        for (int i = 0; i < n; i++) {
            CharacterLogprob lp = pendingLogprobs == null ? null : pendingLogprobs.poll();
            if (!go) {
                continue; // the sink stopped: the rest of what was releasable is dropped (with its logprobs)
            }
            int cp = stop.held(i);
            text.appendCodePoint(cp);
            if (lp == null) {
                go = sink.onCharacter(characterStrings[vocab.idOf(cp)]);
            } else {
                logprobs.add(lp);
                go = sink.onCharacter(lp.character(), lp);
            }
        }
        stop.release();
        if (stop.stopped() && pendingLogprobs != null) {
            pendingLogprobs.clear(); // the stop sequence's characters, never emitted
        }
        return go;
    }

    private boolean finish(FinishReason why) {
        reason = why;
        return false;
    }

    /** Ends the generation because of an error (in a batch, only this row's). */
    void fail(RuntimeException e) {
        error = e;
        reason = FinishReason.ERROR;
    }

    /** Ends a generation nobody will drive any more (a closed iterator) as cancelled. */
    void abandon() {
        if (reason == null) {
            reason = FinishReason.CANCELLED;
        }
    }

    boolean finished() {
        return reason != null;
    }

    Row row() {
        return row;
    }

    GenerationResult result() {
        return new GenerationResult(
                text.toString(), reason, fed, generated, System.nanoTime() - start, firstNanos, error, logprobs);
    }

    /**
     * Drives decoders from the calling thread until all are over, stepping every row that needs a step in one
     * {@link Scheduler#step} per character (which may share graph calls with other threads' rows).
     *
     * @param isolateErrors true for a batch: a decoder whose sink throws ends with {@link FinishReason#ERROR} and
     *     the others go on; false for one stream: the exception propagates unchanged
     * @param until checked after each step: true returns early (the iterator's character is ready); may be null
     * @throws IllegalStateException if the model is closed or ONNX Runtime fails (every decoder ends)
     */
    static void run(Scheduler scheduler, Decoder[] decoders, boolean isolateErrors, BooleanSupplier until) {
        int n = decoders.length;
        // One row needs no new array: an iterator's pull is one call per character and allocates nothing.
        Row[] batch = n == 1 ? decoders[0].row.alone : new Row[n];
        for (Decoder d : decoders) {
            try {
                d.prefill();
            } catch (RuntimeException e) {
                if (!isolateErrors) {
                    throw e;
                }
                d.fail(e);
            }
        }
        for (Decoder d : decoders) {
            d.joined = true;
        }
        scheduler.join(n);
        int stillJoined = n;
        try {
            while (true) {
                int k = 0;
                for (Decoder d : decoders) {
                    if (!d.joined) {
                        continue;
                    }
                    boolean more;
                    try {
                        more = d.advance();
                    } catch (RuntimeException e) {
                        if (!isolateErrors) {
                            throw e;
                        }
                        d.fail(e);
                        more = false;
                    }
                    if (more) {
                        batch[k++] = d.row;
                    } else {
                        d.joined = false;
                        stillJoined--;
                        scheduler.leave(1);
                    }
                }
                if (k == 0) {
                    return;
                }
                scheduler.step(batch, k);
                if (until != null && until.getAsBoolean()) {
                    return;
                }
            }
        } finally {
            for (Decoder d : decoders) {
                d.joined = false;
            }
            if (stillJoined > 0) {
                scheduler.leave(stillJoined);
            }
        }
    }
}
