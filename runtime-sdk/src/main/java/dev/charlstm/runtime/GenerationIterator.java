package dev.charlstm.runtime;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;

/**
 * The pull form of one generation ({@link GenerationStream#characters}): each {@link #next()} is one generated
 * character, a String of one code point, produced as it is consumed (the stream samples one character ahead of the
 * consumer, so its state always holds every character sampled).
 *
 * <p>The iterator holds no lock on its stream between calls: abandoning it (a {@code limit}, a {@code findFirst},
 * an exception in the consumer) leaves the stream free for its next call, after which this iterator fails fast
 * with an {@link IllegalStateException} if touched. {@link #close()} ends it early; {@link #cancel()} may be
 * called from any thread.
 *
 * <p>Not thread-safe, except {@link #cancel()}: one consumer, on the stream's one thread at a time.
 */
public final class GenerationIterator implements Iterator<String>, AutoCloseable {

    private final GenerationStream stream;
    private final int epoch;
    private final ArrayDeque<String> ready;
    /** Made once: a pull allocates nothing per character. */
    private final BooleanSupplier hasReady;

    private Decoder[] decoder;
    private boolean over;
    private volatile boolean closed;

    GenerationIterator(GenerationStream stream, int epoch, ArrayDeque<String> ready) {
        this.stream = stream;
        this.epoch = epoch;
        this.ready = ready;
        this.hasReady = () -> !ready.isEmpty();
    }

    void start(Decoder d) {
        this.decoder = new Decoder[] {d};
    }

    @Override
    public boolean hasNext() {
        if (over && ready.isEmpty() || closed) {
            return false;
        }
        try {
            stream.checkEpoch(epoch); // characters still held here belong to a generation that has ended
        } catch (IllegalStateException e) {
            ready.clear();
            throw e;
        }
        if (!ready.isEmpty()) {
            return true;
        }
        stream.pull(epoch, decoder, hasReady);
        if (decoder[0].finished() && ready.isEmpty()) {
            over = true;
        }
        return !ready.isEmpty();
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.pollFirst();
    }

    /**
     * Ends the generation at the next character, from any thread; the iterator then yields what it already holds
     * and ends with {@link FinishReason#CANCELLED}.
     */
    public void cancel() {
        stream.cancel(epoch);
    }

    /**
     * @return how the generation ended, once {@link #hasNext()} has returned false
     * @throws IllegalStateException while characters remain
     */
    public GenerationResult result() {
        if (!over && !closed) {
            throw new IllegalStateException("the generation is still running: read it to the end (after cancel(),"
                    + " at most the character already sampled follows) or close() it");
        }
        return decoder[0].result();
    }

    /** Ends this generation; the stream keeps every character sampled so far. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ready.clear();
        if (decoder != null) {
            decoder[0].abandon();
        }
    }
}
