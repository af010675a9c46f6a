package dev.charlstm.server;

import java.util.ArrayDeque;

/**
 * Who generates: at most {@code maxRows} rows (streams) at once across requests, at most {@code perRequest} for one
 * request, and free rows handed to waiting requests in turn, one row each round (round-robin), so a request asking
 * for 64 long streams takes its share and a request for one short stream gets the next free row, not the row after
 * the big request's last. Requests waiting for their first row are bounded by {@code maxQueue}; one more is
 * refused at once (429). Thread-safe.
 */
final class Admission {

    /** One request's claim on rows. */
    final class Ticket {
        private int held;
        private boolean everHeld;

        /** @return rows this request holds now */
        int held() {
            synchronized (Admission.this) {
                return held;
            }
        }
    }

    private final int maxRows;
    private final int perRequest;
    private final int maxQueue;
    private int free;
    /** Requests waiting for a row, in the order they get one; a request is in it at most once. */
    private final ArrayDeque<Ticket> turn = new ArrayDeque<>();
    /** Requests in {@link #turn} that hold no row yet: what the queue limit counts. */
    private int waitingFirst;

    private boolean closed;

    Admission(int maxRows, int perRequest, int maxQueue) {
        this.maxRows = maxRows;
        this.perRequest = perRequest;
        this.free = maxRows;
        this.maxQueue = maxQueue;
    }

    /** @return a ticket for a new request */
    Ticket ticket() {
        return new Ticket();
    }

    /**
     * Waits for one more row for this request: until it is below its cap, a row is free and it is its turn.
     *
     * @throws QueueFull if the request holds no row, none is free for it now, and {@code maxQueue} requests wait
     * @throws InterruptedException if the thread is interrupted (the request is cancelled)
     * @throws ApiError 503 once the server is shutting down
     */
    synchronized void acquire(Ticket t) throws InterruptedException {
        // at its cap, a request waits for one of its own rows outside the queue: it must not hold up the others
        while (t.held >= perRequest) {
            if (closed) {
                throw ApiError.shuttingDown();
            }
            wait();
        }
        if (closed) {
            throw ApiError.shuttingDown();
        }
        if (free > 0 && turn.isEmpty()) {
            take(t);
            return;
        }
        boolean first = !t.everHeld;
        if (first) {
            if (waitingFirst >= maxQueue) {
                throw new QueueFull();
            }
            waitingFirst++;
        }
        turn.addLast(t);
        try {
            while (!(turn.peekFirst() == t && free > 0)) {
                if (closed) {
                    throw ApiError.shuttingDown();
                }
                wait();
            }
            turn.pollFirst();
            take(t);
        } finally {
            turn.remove(t); // no-op when taken; on interrupt or shutdown, leaves the queue
            if (first) {
                waitingFirst--;
            }
            notifyAll();
        }
    }

    /**
     * Takes up to {@code more} further rows at once if they are free and nobody waits for one (work-conserving:
     * a request alone on the server grows to its cap; beside waiting requests it takes none).
     *
     * @return how many it took
     */
    synchronized int takeMore(Ticket t, int more) {
        int took = 0;
        while (took < more && t.held < perRequest && free > 0 && turn.isEmpty() && !closed) {
            take(t);
            took++;
        }
        return took;
    }

    /**
     * Waits for one row in turn ({@link #acquire}), then takes up to {@code want - 1} more that are free if nobody
     * else waits.
     *
     * @return how many it took, at least 1
     */
    int acquireUpTo(Ticket t, int want) throws InterruptedException {
        acquire(t);
        return 1 + takeMore(t, want - 1);
    }

    /** Gives back {@code n} of the request's rows. */
    synchronized void release(Ticket t, int n) {
        if (n > t.held) {
            throw new IllegalStateException(n + " rows released, " + t.held + " held");
        }
        t.held -= n;
        free += n;
        notifyAll();
    }

    private void take(Ticket t) {
        free--;
        t.held++;
        t.everHeld = true;
    }

    /** Gives back every row the request still holds (at its end, whatever happened). */
    synchronized void releaseAll(Ticket t) {
        if (t.held > 0) {
            free += t.held;
            t.held = 0;
            notifyAll();
        }
    }

    /** @return rows generating now */
    synchronized int rowsInUse() {
        return maxRows - free;
    }

    /** @return requests waiting for a row (first or further) */
    synchronized int waiting() {
        return turn.size();
    }

    /** Refuses new rows from now on (503) and wakes every waiter. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** The queue is full: answered 429 with Retry-After. */
    static final class QueueFull extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFull() {
            super(null, null, false, false);
        }
    }
}
