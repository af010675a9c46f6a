package dev.charlstm.runtime;

import ai.onnxruntime.OrtException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: rows that need a graph step, from any number of threads, are stepped together in one
 * batched call. There is no scheduler thread. A driving thread {@linkplain #step hands in} its rows and waits; when
 * a lane is free and enough rows are waiting, the thread that sees it runs the call for the waiting rows (its own
 * among them, or not) and wakes their threads. Each thread then samples its rows' next characters and runs its
 * callbacks on its own, in parallel with the calls of other lanes.
 *
 * <p>When to fire: a call takes the rows waiting, first come first served, once they reach the target (the joined
 * rows shared out over the lanes, at most {@code maxRows}), or once no other joined row is on its way (every joined
 * row is waiting or already in a call), or once the oldest has waited half a graph call (at most
 * {@code gatherNanos}: a slow callback delays the others by at most that much per character). A lone row never waits and runs through its own buffers
 * ({@link Stepper#stepAlone}), so a single stream pays nothing for the scheduler.
 *
 * <p>A scheduler shared by every stream of a model batches across threads; a private one per call (continuous
 * batching off) batches only the rows of that call. Thread-safe.
 */
final class Scheduler implements AutoCloseable {

    /** A waiting thread re-checks at least this often, whatever wake-ups it missed. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final long MIN_GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private final Graph graph;
    private final int maxRows;
    private final int lanes;
    private final long gatherNanos;
    /** A moving average of a graph call's duration: waiting for stragglers much longer than a call is waste. */
    private volatile long callNanos;

    private final ReentrantLock lock = new ReentrantLock();
    // ---- guarded by lock
    private final ArrayDeque<Row> pending = new ArrayDeque<>();
    private final ArrayDeque<Lane> idleLanes = new ArrayDeque<>();
    private final List<Lane> allLanes = new ArrayList<>();
    private int busyLanes;
    /** Rows between {@link #join} and {@link #leave}. */
    private int joined;
    /**
     * Joined rows that are neither waiting for a step nor in one: their threads will hand them in soon. Atomic
     * rather than guarded, so a woken thread leaves without taking the lock (the lock is the contended resource).
     */
    private final AtomicInteger coming = new AtomicInteger();

    private boolean closed;
    /** Graph calls run and rows stepped by them, for tests and diagnostics. */
    private long calls;

    private long rowsStepped;

    /**
     * @param maxRows the most rows in one graph call
     * @param lanes the most graph calls running at once
     * @param gatherNanos the longest a waiting row waits for others before its call runs anyway
     */
    Scheduler(Graph graph, int maxRows, int lanes, long gatherNanos) {
        this.graph = graph;
        this.maxRows = maxRows;
        this.lanes = lanes;
        this.gatherNanos = gatherNanos;
    }

    /** Announces {@code n} rows that will ask for steps until they {@link #leave}. */
    void join(int n) {
        lock.lock();
        try {
            if (closed) {
                throw Graph.closedException();
            }
            joined += n;
            coming.addAndGet(n);
        } finally {
            lock.unlock();
        }
    }

    /** Withdraws {@code n} joined rows that will ask for no more steps (their thread is not waiting in step). */
    void leave(int n) {
        lock.lock();
        try {
            joined -= n;
            if (coming.addAndGet(-n) == 0) {
                wakeHead(); // the rows waiting for these may go now
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Steps {@code rows[0..n)} (each with its token set) by one character, in whichever graph calls the scheduler
     * chooses, and returns when all of them are done. The caller must have joined them.
     *
     * @throws IllegalStateException if the model was closed, or ONNX Runtime failed (each row affected says so)
     */
    void step(Row[] rows, int n) {
        Thread me = Thread.currentThread();
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Row r = rows[i];
            r.failure = null;
            r.stepped = false;
            r.driver = me;
            r.pendingSince = now;
        }
        lock.lock();
        try {
            if (closed) {
                throw Graph.closedException();
            }
            for (int i = 0; i < n; i++) {
                pending.addLast(rows[i]);
            }
            coming.addAndGet(-n);
            while (!allStepped(rows, n)) {
                int take = pending.isEmpty() || busyLanes == lanes ? 0 : rowsToTake(me, System.nanoTime());
                if (take > 0) {
                    runCall(take);
                    continue;
                }
                boolean mineWaiting = pending.contains(rows[0]);
                long park = MAX_PARK_NANOS;
                if (mineWaiting && busyLanes < lanes) {
                    park = Math.max(1000, rows[0].pendingSince + gatherWait() - System.nanoTime());
                }
                lock.unlock();
                LockSupport.parkNanos(this, Math.min(park, MAX_PARK_NANOS));
                if (allStepped(rows, n)) {
                    break; // the usual wake-up: done, without touching the lock
                }
                lock.lock();
            }
            coming.addAndGet(n);
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
        for (int i = 0; i < n; i++) {
            if (rows[i].failure != null) {
                throw rows[i].failure;
            }
        }
    }

    private static boolean allStepped(Row[] rows, int n) {
        for (int i = 0; i < n; i++) {
            if (!rows[i].stepped) {
                return false;
            }
        }
        return true;
    }

    /**
     * How long waiting rows wait for the joined rows that are not there yet (a thread in a slow callback): half a
     * graph call, at most {@code gatherNanos}, so a stream among blocked ones runs at least at two thirds of its
     * lone speed.
     */
    private long gatherWait() {
        return Math.min(gatherNanos, Math.max(MIN_GATHER_NANOS, callNanos / 2));
    }

    /** How many waiting rows a call should take now, or 0 to wait for more. Under the lock. */
    private int rowsToTake(Thread me, long now) {
        int waiting = pending.size();
        int target = Math.max(1, Math.min(maxRows, (joined + lanes - 1) / lanes));
        if (waiting >= target) {
            // Split into lanes only when another thread can run the rest at the same time.
            boolean anotherLaneFree = busyLanes + 1 < lanes;
            return anotherLaneFree && pending.peekLast().driver != me ? target : Math.min(waiting, maxRows);
        }
        if (coming.get() <= 0 || now - pending.peekFirst().pendingSince >= gatherWait()) {
            return waiting;
        }
        return 0;
    }

    /** Takes {@code take} waiting rows and runs their call on this thread; releases the lock while it runs. */
    private void runCall(int take) {
        busyLanes++;
        Lane lane = null;
        Row[] batch = null;
        try {
            calls++;
            rowsStepped += take;
            if (take == 1) {
                batch = pending.peekFirst().alone;
            } else {
                lane = idleLanes.pollFirst();
                if (lane != null && lane.capacity < take) {
                    allLanes.remove(lane); // idle, so no call uses it: replace it with a larger one
                    lane.close();
                    lane = null;
                }
                batch = lane != null ? lane.rows : new Row[take];
            }
            for (int i = 0; i < take; i++) {
                batch[i] = pending.pollFirst();
            }
            if (!pending.isEmpty() && busyLanes < lanes) {
                wakeHead(); // another lane is free: let the next waiting thread decide whether to fire it
            }
            lock.unlock();
            try {
                lane = execute(lane, batch, take);
            } finally {
                lock.lock();
            }
        } finally {
            busyLanes--;
            if (lane != null) {
                if (!allLanes.contains(lane)) {
                    allLanes.add(lane);
                }
                idleLanes.addFirst(lane);
            }
            if (take > 1 && batch != null) {
                Arrays.fill(batch, 0, take, null);
            }
            wakeHead();
        }
    }

    /** Lanes grow in powers of two up to maxRows, so their buffers fit the batches that really come. */
    private int laneCapacity(int rows) {
        return Math.min(maxRows, Math.max(2, Integer.highestOneBit(rows - 1) << 1));
    }

    /**
     * One graph call for {@code rows[0..n)}; marks them stepped (or failed) and wakes their threads.
     *
     * @param lane the lane for a batch, or null (a batch then creates one, outside the lock)
     * @return the lane used, or null
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // callNanos is an estimate; lanes racing on it lose nothing
    private Lane execute(Lane lane, Row[] rows, int n) {
        RuntimeException failure = null;
        long start = System.nanoTime();
        try {
            if (n > 1 && lane == null) {
                lane = new Lane(graph, laneCapacity(n));
            }
            graph.enter();
            try {
                if (n == 1) {
                    rows[0].stepper.stepAlone(graph.session);
                } else {
                    lane.run(rows, n);
                }
            } finally {
                graph.exit();
            }
        } catch (OrtException e) {
            failure = new IllegalStateException("ONNX Runtime failed to step the model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            // every row of the call must hear of it, or its thread would wait for a step that never comes
            failure = new IllegalStateException("stepping the model failed: " + e, e);
        }
        callNanos += (System.nanoTime() - start - callNanos) / 8; // racy between lanes; an estimate suffices
        Thread me = Thread.currentThread();
        for (int i = 0; i < n; i++) {
            Row r = rows[i];
            r.failure = failure;
            Thread driver = r.driver;
            r.stepped = true;
            if (driver != me) {
                LockSupport.unpark(driver);
            }
        }
        return lane;
    }

    private void wakeHead() {
        Row head = pending.peekFirst();
        if (head != null && head.driver != Thread.currentThread()) {
            LockSupport.unpark(head.driver);
        }
    }

    /**
     * Ends every waiting step with "the model is closed" and refuses new ones. Calls already running finish; the
     * caller waits for them ({@link Graph#drain()}) before {@link #freeLanes()}.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            RuntimeException e = Graph.closedException();
            for (Row r : pending) {
                r.failure = e;
                r.stepped = true;
                LockSupport.unpark(r.driver);
            }
            pending.clear();
        } finally {
            lock.unlock();
        }
    }

    /** @return {graph calls run, rows they stepped} so far */
    long[] counts() {
        lock.lock();
        try {
            return new long[] {calls, rowsStepped};
        } finally {
            lock.unlock();
        }
    }

    /** Frees the lanes' native buffers; only once no graph call can run. */
    void freeLanes() {
        lock.lock();
        try {
            allLanes.forEach(Lane::close);
            allLanes.clear();
            idleLanes.clear();
        } finally {
            lock.unlock();
        }
    }
}
