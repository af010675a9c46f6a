package dev.charlstm.runtime;

import java.util.ArrayDeque;
import java.util.ConcurrentModificationException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One conversation with a model: its LSTM state carries everything fed and generated so far. Feed text to prime
 * it, generate (to a callback, or pulled as an iterator or stream), continue later from the same state, snapshot
 * and restore the state to fork or rewind, or reset it.
 *
 * <p>Streams of one model that generate at the same time, on any threads, share batched graph calls (continuous
 * batching, unless {@link RuntimeOptions.Builder#continuousBatching(boolean)} turned it off); each stream's text is
 * what it would write alone with the same seed.
 *
 * <p>Not thread-safe: one thread at a time. A second thread entering while a call is in progress fails fast with
 * a {@link ConcurrentModificationException}. The exceptions are {@link #cancel()}, which any thread may call to end
 * the generation in progress promptly (within one character, or one chunk of a long prompt being primed), and
 * {@link #close()}. Owns native buffers: close it (closing the model closes its streams too).
 */
// epoch is volatile for the threads that read it (iterators, cancel()); only the stream's one caller thread, the one
// enter() admitted, writes it, so its ++ is not a race
@SuppressWarnings("NonAtomicVolatileUpdate")
public final class GenerationStream implements AutoCloseable {

    private static final GenerationOptions FEED_ONLY =
            GenerationOptions.builder().maxCharacters(0).build();

    private final CharLstmModel model;
    private final Row row;
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    /** Bumped by every call that starts something new; an iterator works only while the epoch is its own. */
    private volatile int epoch;

    private volatile boolean closed;

    GenerationStream(CharLstmModel model, Row row) {
        this.model = model;
        this.row = row;
    }

    /**
     * Feeds text into the state, failing on characters outside the vocabulary.
     *
     * @param text the text
     * @return the number of characters fed
     * @throws UnknownCharacterException naming the first unknown character and its index (nothing is fed then)
     */
    public int feed(CharSequence text) {
        return feed(text, GenerationOptions.DEFAULT);
    }

    /**
     * Feeds text into the state, handling unknown characters as the options say. {@link #cancel()} ends it early.
     *
     * @param text the text
     * @param options supplies the unknown-character policy
     * @return the number of characters fed (after skipping or replacing; fewer if cancelled)
     * @throws UnknownCharacterException with {@link UnknownCharacterPolicy#ERROR} (nothing is fed then)
     */
    public int feed(CharSequence text, GenerationOptions options) {
        enter();
        try {
            startCall();
            int[] ids = model.encode(text, options);
            if (ids.length == 0) {
                return 0;
            }
            Decoder d = new Decoder(row, model, ids, FEED_ONLY, ch -> true);
            model.drive(new Decoder[] {d}, false, null);
            return d.result().promptCharacters();
        } finally {
            exit();
        }
    }

    /**
     * Primes with a prompt, then generates to a callback.
     *
     * @param prompt text to feed first (may be empty to continue from the current state)
     * @param options how to generate
     * @param callback receives each character after it is sampled and fed, on this thread
     * @return why and when generation ended, and the text
     * @throws UnknownCharacterException if the prompt holds an unknown character under policy ERROR (nothing is
     *     fed then)
     * @throws IllegalStateException if the prompt is empty (or all skipped) and nothing was fed before, or the
     *     model is closed (also while generating)
     * @throws RuntimeException whatever the callback threw, unchanged; the stream stays usable, its state
     *     including every character sampled so far
     */
    public GenerationResult generate(CharSequence prompt, GenerationOptions options, CharacterCallback callback) {
        enter();
        try {
            startCall();
            int[] ids = model.encode(prompt, options);
            if (ids.length == 0 && !row.primed) {
                throw new IllegalStateException(
                        model.emptyPrompt(prompt, options) + (prompt.length() == 0 ? " (feed a prompt first)" : ""));
            }
            Decoder d = new Decoder(row, model, ids, options, callback);
            model.drive(new Decoder[] {d}, false, null);
            return d.result();
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
     * The pull form from the current state: see {@link #characters(CharSequence, GenerationOptions)}.
     *
     * @param options how to generate
     * @return an iterator of one-code-point strings; close it to end early
     * @throws IllegalStateException if there is nothing to continue from (nothing was fed)
     */
    public GenerationIterator characters(GenerationOptions options) {
        return characters("", options);
    }

    /**
     * The pull form: primes with a prompt, then the characters of one generation, produced as they are consumed.
     * The stream is not held between calls: its next call (of any kind) ends this generation, and the iterator then
     * fails fast if touched.
     *
     * <pre>{@code
     * try (GenerationIterator it = stream.characters("Call me ", options)) {
     *     while (it.hasNext()) System.out.print(it.next());
     * }
     * }</pre>
     *
     * @param prompt text to feed first (may be empty to continue from the current state)
     * @param options how to generate
     * @return an iterator of one-code-point strings; close it to end early
     * @throws UnknownCharacterException if the prompt holds an unknown character under policy ERROR (nothing is fed)
     * @throws IllegalStateException if the prompt is empty (or all skipped) and nothing was fed before
     */
    public GenerationIterator characters(CharSequence prompt, GenerationOptions options) {
        enter();
        try {
            startCall();
            int[] ids = model.encode(prompt, options);
            if (ids.length == 0 && !row.primed) {
                throw new IllegalStateException(model.emptyPrompt(prompt, options)
                        + (prompt.length() == 0 ? " (feed a prompt first, or give one)" : ""));
            }
            int mine = epoch;
            ArrayDeque<String> ready = new ArrayDeque<>();
            GenerationIterator it = new GenerationIterator(this, mine, ready);
            it.start(new Decoder(row, model, ids, options, ch -> {
                ready.addLast(ch);
                return true;
            }));
            return it;
        } finally {
            exit();
        }
    }

    /**
     * The pull form as a {@link java.util.stream.Stream}; see {@link #characters}. Closing the stream ends the
     * generation.
     *
     * @param options how to generate
     * @return a sequential stream of one-code-point strings
     */
    public Stream<String> stream(GenerationOptions options) {
        GenerationIterator it = characters(options);
        return StreamSupport.stream(
                        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(it::close);
    }

    /** A new call: earlier iterators end, and a cancel() from now on applies to this call. */
    private void startCall() {
        epoch++;
        row.cancelRequested = false;
    }

    /** @throws IllegalStateException if the stream has moved on since the iterator of {@code itsEpoch} began */
    void checkEpoch(int itsEpoch) {
        if (itsEpoch != epoch) {
            throw new IllegalStateException("this iterator's generation has ended: its GenerationStream has been"
                    + " used since (an iterator is valid until the stream's next call)");
        }
    }

    /** One pull of an iterator: steps until it has a character or its generation is over. */
    void pull(int itsEpoch, Decoder[] one, BooleanSupplier until) {
        enter();
        try {
            checkEpoch(itsEpoch);
            model.drive(one, false, until);
        } finally {
            exit();
        }
    }

    /**
     * Ends the generation in progress (or the feeding of a prompt), from any thread; it finishes with
     * {@link FinishReason#CANCELLED} within one character. Does nothing when the stream is idle: a cancel that comes
     * before a call starts does not carry over to it.
     */
    public void cancel() {
        row.cancelRequested = true;
    }

    void cancel(int itsEpoch) {
        if (itsEpoch == epoch) {
            cancel();
        }
    }

    /** @return a copy of the state, to {@link #restore} into this or another stream of the same model */
    public StreamState snapshot() {
        enter();
        try {
            int n = model.manifest().shape().layers() * model.manifest().shape().hiddenSize();
            float[] h = new float[n];
            float[] c = new float[n];
            float[] logits = new float[model.manifest().shape().vocabSize()];
            row.stepper.copyTo(h, c, logits);
            return new StreamState(model, h, c, logits, row.primed, row.recent.copy());
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
            epoch++;
            row.stepper.loadFrom(state.h, state.c, state.logits);
            row.primed = state.primed;
            row.recent.copyFrom(state.recent);
        } finally {
            exit();
        }
    }

    /** Forgets everything: zero state, nothing to continue from until the next prompt. */
    public void reset() {
        enter();
        try {
            epoch++;
            row.reset();
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
            // close() may have come while this thread held the stream and left the freeing to it
            try {
                model.release(row);
            } finally {
                owner.set(null);
            }
            throw new IllegalStateException("the stream is closed");
        }
        try {
            model.ensureOpen();
        } catch (RuntimeException e) {
            owner.set(null);
            throw e;
        }
    }

    private void exit() {
        owner.set(null);
        if (closed) {
            freeIfIdle(); // close() was called by another thread while this one was inside
        }
    }

    /**
     * Frees the stream's native buffers. Safe from any thread: a generation in progress ends (cancelled) and its
     * buffers are freed when it returns, never under a running graph step. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        row.closed = true;
        freeIfIdle();
    }

    private void freeIfIdle() {
        if (owner.compareAndSet(null, Thread.currentThread())) {
            try {
                model.release(row);
            } finally {
                owner.set(null);
            }
        }
    }
}
