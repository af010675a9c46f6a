package dev.charlstm.server;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationStream;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sessions: an id whose LSTM state (a {@link GenerationStream}) persists between completions, like
 * {@code generate --interactive}. At most {@code max} exist; one unused for {@code idleNanos} is closed. Thread-safe.
 */
final class Sessions {

    /** One session: its stream, a lock (one completion at a time) and when it was last used. */
    static final class Session {
        final String id;
        final GenerationStream stream;
        final ReentrantLock lock = new ReentrantLock();
        volatile long lastUsed = System.nanoTime();
        /** Completions finished on it (its first needs a prompt). Guarded by {@link #lock}. */
        int turns;
        /** Set by DELETE: a completion in progress or waiting ends with 410, and the stream is closed after it. */
        volatile boolean deleted;

        Session(String id, GenerationStream stream) {
            this.id = id;
            this.stream = stream;
        }
    }

    private static final SecureRandom IDS = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final int max;
    private final long idleNanos;

    Sessions(int max, long idleNanos) {
        this.max = max;
        this.idleNanos = idleNanos;
    }

    /** @throws ApiError 429 when {@code max} sessions exist */
    synchronized Session create(CharLstmModel model) {
        if (sessions.size() >= max) {
            throw new ApiError(
                            429,
                            "rate_limit_error",
                            null,
                            "too_many_sessions",
                            sessions.size()
                                    + " sessions are open, the most this server keeps (--max-sessions); delete one, or wait for an"
                                    + " idle one to expire")
                    .retryAfter(5);
        }
        byte[] b = new byte[12];
        IDS.nextBytes(b);
        Session s = new Session("sess_" + HexFormat.of().formatHex(b), model.newStream());
        sessions.put(s.id, s);
        return s;
    }

    /** @throws ApiError 404 for an id that does not exist (or expired) */
    Session get(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            throw new ApiError(
                    404,
                    "invalid_request_error",
                    "session",
                    "session_not_found",
                    "no session "
                            + (id.length() > 40 ? id.substring(0, 40) + "..." : id)
                            + " (it never existed, was deleted, or was idle too long and expired)");
        }
        return s;
    }

    /**
     * Removes a session at once; a completion in progress on it ends (410) and closes the stream when it returns.
     *
     * @return whether it existed
     */
    boolean delete(String id) {
        Session s = sessions.remove(id);
        if (s != null) {
            s.deleted = true;
            s.stream.cancel();
            if (s.lock.tryLock()) {
                try {
                    s.stream.close();
                } finally {
                    s.lock.unlock();
                }
            }
        }
        return s != null;
    }

    /** @return the error of a completion on a session deleted meanwhile */
    static ApiError deleted(String id) {
        return new ApiError(
                410,
                "invalid_request_error",
                "session",
                "session_deleted",
                "session " + id + " was deleted while this completion waited or ran");
    }

    /** Closes the sessions idle for longer than the limit (never one in use). */
    @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap's iteration tolerates removal
    void expire() {
        long now = System.nanoTime();
        for (Session s : sessions.values()) {
            if (now - s.lastUsed > idleNanos && s.lock.tryLock()) {
                try {
                    if (sessions.remove(s.id, s)) {
                        s.stream.close();
                    }
                } finally {
                    s.lock.unlock();
                }
            }
        }
    }

    int size() {
        return sessions.size();
    }

    void closeAll() {
        for (String id : sessions.keySet()) {
            delete(id);
        }
    }
}
