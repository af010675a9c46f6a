package dev.charlstm.runtime;

import dev.charlstm.runtime.internal.LogitSampler;

/**
 * One stream's place in the engine: its native state ({@link Stepper}), its sampler's scratch arrays, the recent
 * characters the repetition penalty looks at, and the fields the {@link Scheduler} uses while the row waits for a
 * graph step. A {@link GenerationStream} has one row for its whole life; a batch has one per request.
 *
 * <p>Not thread-safe: its driving thread owns it, except for the scheduling fields (written by whichever thread
 * runs the row's graph call, published through {@code stepped}) and {@code cancelRequested}.
 */
final class Row {

    final Stepper stepper;
    /** This row as a batch of one. */
    final Row[] alone = {this};

    final LogitSampler sampler;
    final RecentWindow recent = new RecentWindow();
    /** Whether the stepper's logits hold the distribution of the next character. */
    boolean primed;

    volatile boolean cancelRequested;
    /** Set when the stream is closed: any generation on the row ends at the next character. */
    volatile boolean closed;

    // ---- scheduling: written under the scheduler's lock or before {@code stepped} is set
    /** The thread waiting for this row's step, to unpark when it is done. */
    Thread driver;

    long pendingSince;
    RuntimeException failure;
    volatile boolean stepped;

    Row(Graph graph) {
        this.stepper = new Stepper(graph);
        this.sampler = new LogitSampler(graph.vocabSize);
    }

    /** Sets the token the next step feeds; the recent window and the primed flag account for it now. */
    void feed(int id) {
        stepper.token(id);
        recent.add(id);
        primed = true;
    }

    /** Forgets everything: zero state, nothing to continue from. */
    void reset() {
        stepper.resetState();
        primed = false;
        recent.clear();
    }
}
