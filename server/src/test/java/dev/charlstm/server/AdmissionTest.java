package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Rows: the per-request cap, turns in arrival order, the queue limit, taking free rows only when nobody waits. */
class AdmissionTest {

    static Thread acquiring(Admission a, Admission.Ticket t, List<String> log, String name) {
        Thread th = new Thread(() -> {
            try {
                a.acquire(t);
                log.add(name);
            } catch (InterruptedException e) {
                log.add(name + " interrupted");
            }
        });
        th.start();
        return th;
    }

    static void awaitWaiting(Admission a, int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (a.waiting() < n && System.currentTimeMillis() < end) {
            Thread.sleep(2);
        }
        assertEquals(n, a.waiting());
    }

    @Test
    void freeRowsGoToWaitingRequestsInTurnAndAFullQueueIsRefused() throws Exception {
        Admission a = new Admission(2, 2, 2);
        Admission.Ticket big = a.ticket();
        a.acquire(big);
        assertEquals(1, a.takeMore(big, 5), "alone: it grows to its cap (2), not beyond");
        assertEquals(2, a.rowsInUse());
        List<String> log = new CopyOnWriteArrayList<>();
        Admission.Ticket b = a.ticket();
        Admission.Ticket c = a.ticket();
        Thread tb = acquiring(a, b, log, "b");
        awaitWaiting(a, 1);
        Thread tc = acquiring(a, c, log, "c");
        awaitWaiting(a, 2);
        assertThrows(Admission.QueueFull.class, () -> a.acquire(a.ticket()), "two wait already (maxQueue 2)");
        a.release(big, 1);
        tb.join(5000);
        assertEquals(List.of("b"), log, "the first to wait gets the first free row");
        assertEquals(0, a.takeMore(big, 1), "no row is free");
        a.release(big, 1);
        tc.join(5000);
        assertEquals(List.of("b", "c"), log);
        assertEquals(0, a.takeMore(big, 1));
        a.releaseAll(b);
        assertEquals(1, a.takeMore(big, 1), "a free row, nobody waiting: it may take it");
    }

    @Test
    void aRequestAtItsCapWaitsForItsOwnRowsWithoutHoldingUpOthers() throws Exception {
        Admission a = new Admission(4, 2, 4);
        Admission.Ticket big = a.ticket();
        a.acquire(big);
        a.acquire(big);
        List<String> log = new CopyOnWriteArrayList<>();
        Thread more = acquiring(a, big, log, "big");
        Thread.sleep(50);
        assertEquals(List.of(), log, "at its cap of 2 it waits, with 2 rows free");
        Admission.Ticket small = a.ticket();
        a.acquire(small); // not held up by the capped request
        assertEquals(3, a.rowsInUse());
        a.release(big, 1);
        more.join(5000);
        assertEquals(List.of("big"), log);
        a.close();
        assertThrows(ApiError.class, () -> a.acquire(a.ticket()), "closed: 503");
    }
}
