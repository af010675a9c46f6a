package dev.charlstm.runtime;

import dev.charlstm.runtime.sampling.LogitSampler;
import dev.charlstm.runtime.sampling.SamplingParameters;
import dev.charlstm.runtime.sampling.SplitMix64;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One conversation with a model: its LSTM state carries everything fed and generated so far. Feed text to prime
 * it, generate (to a callback, or pulled as an iterator or stream), continue later from the same state, snapshot
 * and restore the state to fork or rewind, or reset it.
 *
 * <p>Not thread-safe: one thread at a time. A second thread entering while a call is in progress fails fast with
 * a {@link ConcurrentModificationException}. The exception is {@link #cancel()}, which any thread may call to end
 * the generation in progress promptly (within one character). Owns native buffers: close it (closing the model
 * closes its streams too).
 */
public final class GenerationStream implements AutoCloseable {

    private final CharLstmModel model;
    private final Vocabulary vocab;
    private final Stepper stepper;
    private final LogitSampler sampler;
    private final SplitMix64 rng = new SplitMix64(0);
    private final RecentWindow recent = new RecentWindow();
    /** Whether the stepper's logits hold the distribution of the next character. */
    private boolean primed;
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private volatile boolean cancelRequested;
    private volatile boolean closed;

    GenerationStream(CharLstmModel model, Stepper stepper) {
        this.model = model;
        this.vocab = model.info().vocabulary();
        this.stepper = stepper;
        this.sampler = new LogitSampler(vocab.size());
    }

    /**
     * Feeds text into the state, failing on characters outside the vocabulary.
     *
     * @param text the text
     * @return the number of characters fed
     * @throws UnknownCharacterException naming the first unknown character and its index
     */
    public int feed(CharSequence text) {
        return feed(text, GenerationOptions.DEFAULT);
    }

    /**
     * Feeds text into the state, handling unknown characters as the options say.
     *
     * @param text the text
     * @param options supplies the unknown-character policy
     * @return the number of characters fed (after skipping or replacing)
     * @throws UnknownCharacterException with {@link UnknownCharacterPolicy#ERROR} (nothing is fed then)
     */
    public int feed(CharSequence text, GenerationOptions options) {
        enter();
        try {
            int[] ids = encode(text, options);
            for (int id : ids) {
                step(id);
            }
            return ids.length;
        } finally {
            exit();
        }
    }

    private int[] encode(CharSequence text, GenerationOptions options) {
        int[] cps = text.codePoints().toArray();
        int[] ids = new int[cps.length];
        int n = 0;
        int replacementId = -1;
        if (options.unknownCharacters() == UnknownCharacterPolicy.REPLACE) {
            replacementId = vocab.idOf(options.replacement());
            if (replacementId < 0) {
                throw new IllegalArgumentException("the replacement character " + Vocabulary.describe(options.replacement())
                        + " is not in the model's vocabulary either");
            }
        }
        for (int i = 0; i < cps.length; i++) {
            int id = vocab.idOf(cps[i]);
            if (id < 0) {
                switch (options.unknownCharacters()) {
                    case SKIP:
                        continue;
                    case REPLACE:
                        id = replacementId;
                        break;
                    default:
                        throw new UnknownCharacterException(cps[i], i);
                }
            }
            ids[n++] = id;
        }
        return n == ids.length ? ids : java.util.Arrays.copyOf(ids, n);
    }

    private void step(int id) {
        stepper.token(0, id);
        model.step(stepper);
        recent.add(id);
        primed = true;
    }

    /**
     * Primes with a prompt, then generates to a callback.
     *
     * @param prompt text to feed first (may be empty to continue from the current state)
     * @param options how to generate
     * @param callback receives each character as soon as it is sampled
     * @return why and when generation ended, and the text
     * @throws UnknownCharacterException if the prompt holds an unknown character under policy ERROR
     * @throws IllegalStateException if there is nothing to continue from (no prompt ever fed) or the model is closed
     * @throws RuntimeException whatever the callback threw, unchanged; the stream stays usable, its state
     *     including every character sampled so far
     */
    public GenerationResult generate(CharSequence prompt, GenerationOptions options, CharacterCallback callback) {
        enter();
        try {
            long start = System.nanoTime();
            int fed = 0;
            for (int id : encode(prompt, options)) {
                step(id);
                fed++;
            }
            Generation g = new Generation(options, start, fed);
            StringBuilder text = new StringBuilder();
            while (g.advance()) {
                for (int i = 0; i < g.stop.releasable(); i++) {
                    int cp = g.stop.held(i);
                    text.appendCodePoint(cp);
                    if (!callback.onCharacter(model.characterString(cp))) {
                        g.stop.release();
                        return g.result(text, FinishReason.CANCELLED);
                    }
                }
                g.stop.release();
            }
            return g.result(text, g.reason);
        } finally {
            exit();
        }
    }

    /**
     * Generates from the current state to a callback.
     *
     * @param options how to generate
     * @param callback receives each character
     * @return the result
     */
    public GenerationResult generate(GenerationOptions options, CharacterCallback callback) {
        return generate("", options, callback);
    }

    /**
     * The pull form: the characters of one generation from the current state, produced as they are consumed. The
     * stream is busy until the iterator is exhausted.
     *
     * @param options how to generate
     * @return an iterator of one-code-point strings
     */
    public Iterator<String> characters(GenerationOptions options) {
        enter();
        Generation g;
        try {
            g = new Generation(options, System.nanoTime(), 0);
        } catch (RuntimeException e) {
            exit();
            throw e;
        }
        return new Iterator<>() {
            private int index;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (done) {
                    return false;
                }
                while (index >= g.stop.releasable()) {
                    g.stop.release();
                    index = 0;
                    boolean more;
                    try {
                        more = g.advance();
                    } catch (RuntimeException e) {
                        finish();
                        throw e;
                    }
                    if (!more && g.stop.releasable() == 0) {
                        finish();
                        return false;
                    }
                }
                return true;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return model.characterString(g.stop.held(index++));
            }

            private void finish() {
                done = true;
                exit();
            }
        };
    }

    /**
     * The pull form as a {@link java.util.stream.Stream}; see {@link #characters}.
     *
     * @param options how to generate
     * @return a sequential stream of one-code-point strings
     */
    public Stream<String> stream(GenerationOptions options) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(characters(options),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** One generation: samples, advances the state, runs the stop matcher. */
    private final class Generation {
        final GenerationOptions options;
        final SamplingParameters sampling;
        final StopMatcher stop;
        final long start;
        final int promptCharacters;
        int generated;
        long firstNanos = -1;
        FinishReason reason = FinishReason.LENGTH;
        private boolean finished;

        Generation(GenerationOptions options, long start, int promptCharacters) {
            model.ensureOpen();
            if (!primed) {
                throw new IllegalStateException("nothing to continue from: feed a prompt first");
            }
            this.options = options;
            this.sampling = options.sampling();
            this.stop = new StopMatcher(options.stopSequences(), options.emitStopSequence());
            this.start = start;
            this.promptCharacters = promptCharacters;
            cancelRequested = false;
            rng.setState(options.seed());
        }

        /** Samples one character into the stop matcher; false when generation is over (then flushes if due). */
        boolean advance() {
            if (finished) {
                return false;
            }
            if (generated >= options.maxCharacters() || cancelRequested || closed) {
                finished = true;
                if (generated >= options.maxCharacters()) {
                    stop.flush();
                } else {
                    reason = FinishReason.CANCELLED;
                }
                return false;
            }
            model.ensureOpen();
            int id = sampler.sample(stepper.logits(), 0, sampling, recent.ids, recent.count, rng);
            generated++;
            if (firstNanos < 0) {
                firstNanos = System.nanoTime() - start;
            }
            // Feed the character before anyone sees it, so the state always includes every sampled character,
            // whatever a callback does next.
            step(id);
            stop.push(vocab.codePoint(id));
            if (stop.stopped()) {
                finished = true;
                reason = FinishReason.STOP_SEQUENCE;
            }
            return true;
        }

        GenerationResult result(StringBuilder text, FinishReason why) {
            return new GenerationResult(text.toString(), why, promptCharacters, generated, System.nanoTime() - start,
                    firstNanos);
        }
    }

    /**
     * Ends the generation in progress, from any thread; it finishes with {@link FinishReason#CANCELLED} within one
     * character. Does nothing when the stream is idle.
     */
    public void cancel() {
        cancelRequested = true;
    }

    /** @return a copy of the state, to {@link #restore} into this or another stream of the same model */
    public StreamState snapshot() {
        enter();
        try {
            int n = model.stateSize();
            float[] h = new float[n];
            float[] c = new float[n];
            stepper.copyStateTo(h, c);
            float[] logits = new float[vocab.size()];
            stepper.logits().get(0, logits, 0, logits.length);
            return new StreamState(model, h, c, logits, primed, recent.copy());
        } finally {
            exit();
        }
    }

    /**
     * Replaces this stream's state with a snapshot.
     *
     * @param state a snapshot of a stream of the same model
     * @throws IllegalArgumentException if the snapshot comes from another model
     */
    public void restore(StreamState state) {
        if (state.model != model) {
            throw new IllegalArgumentException("the snapshot belongs to another model");
        }
        enter();
        try {
            stepper.loadState(state.h, state.c);
            stepper.logits().put(0, state.logits, 0, state.logits.length);
            primed = state.primed;
            recent.copyFrom(state.recent);
        } finally {
            exit();
        }
    }

    /** Forgets everything: zero state, nothing to continue from until the next prompt. */
    public void reset() {
        enter();
        try {
            stepper.resetState();
            primed = false;
            recent.clear();
        } finally {
            exit();
        }
    }

    private void enter() {
        Thread me = Thread.currentThread();
        if (!owner.compareAndSet(null, me)) {
            Thread other = owner.get();
            throw new ConcurrentModificationException("this GenerationStream is in use by thread \""
                    + (other == null ? "?" : other.getName()) + "\"; a stream serves one thread at a time (open"
                    + " one stream per conversation: CharLstmModel.newStream())");
        }
        if (closed) {
            owner.set(null);
            throw new IllegalStateException("the stream is closed");
        }
        model.ensureOpen();
    }

    private void exit() {
        owner.set(null);
    }

    /**
     * Frees the stream's native buffers. Safe from any thread: a generation in progress ends (cancelled, or with an
     * {@link IllegalStateException} saying the stream is closed) and nothing native is freed under it.
     */
    @Override
    public void close() {
        closed = true;
        cancelRequested = true;
        model.release(stepper);
    }
}
