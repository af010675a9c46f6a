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

    private void take(Ticket t) {
        free--;
        t.held++;
        t.everHeld = true;
    }

    /** Gives back one of the request's rows. */
    synchronized void release(Ticket t) {
        if (t.held <= 0) {
            throw new IllegalStateException("no row held");
        }
        t.held--;
        free++;
        notifyAll();
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
