package dev.charlstm.runtime;

import java.util.List;

/**
 * Finds stop sequences in generated text as it streams, holding back characters that could still be the start of
 * one so that a stop sequence is never half-emitted. Works on code-point arrays without allocating per character.
 *
 * <p>Not thread-safe.
 */
final class StopMatcher {

    private final int[][] stops;
    private final boolean emitStop;
    private final int[] held;
    private int heldCount;
    /** Set by {@link #push}: how many held characters may be emitted now. */
    private int releasable;

    private boolean stopped;

    StopMatcher(List<String> stopSequences, boolean emitStop) {
        this.stops = new int[stopSequences.size()][];
        int longest = 1;
        for (int i = 0; i < stops.length; i++) {
            stops[i] = stopSequences.get(i).codePoints().toArray();
            longest = Math.max(longest, stops[i].length);
        }
        this.emitStop = emitStop;
        this.held = new int[longest];
    }

    /**
     * Adds a generated character. Afterwards {@link #releasable()} characters from the front of the held buffer may
     * be emitted ({@link #held(int)}), then {@link #release()} drops them; {@link #stopped()} says whether a stop
     * sequence completed.
     */
    void push(int codePoint) {
        held[heldCount++] = codePoint;
        for (int[] s : stops) {
            if (endsWith(s)) {
                stopped = true;
                releasable = emitStop ? heldCount : heldCount - s.length;
                return;
            }
        }
        // Keep the longest suffix that is a proper prefix of some stop sequence; the rest is safe to emit.
        int keep = 0;
        for (int len = Math.min(heldCount, held.length - 1); len > 0 && keep == 0; len--) {
            for (int[] s : stops) {
                if (len < s.length && suffixIsPrefix(len, s)) {
                    keep = len;
                    break;
                }
            }
        }
        releasable = heldCount - keep;
    }

    private boolean endsWith(int[] s) {
        if (s.length > heldCount) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (held[heldCount - s.length + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean suffixIsPrefix(int len, int[] s) {
        for (int i = 0; i < len; i++) {
            if (held[heldCount - len + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    int releasable() {
        return releasable;
    }

    int held(int i) {
        return held[i];
    }

    /** Drops the releasable characters (after they were emitted). */
    void release() {
        int keep = heldCount - releasable;
        System.arraycopy(held, releasable, held, 0, keep);
        heldCount = stopped ? 0 : keep;
        releasable = 0;
    }

    /** At the end of generation without a stop: everything held may be emitted. */
    void flush() {
        releasable = heldCount;
    }

    boolean stopped() {
        return stopped;
    }
}
