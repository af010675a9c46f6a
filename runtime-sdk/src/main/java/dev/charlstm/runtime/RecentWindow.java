package dev.charlstm.runtime;

/** The last {@value #SIZE} character ids of a stream, for the repetition penalty (order does not matter). Not thread-safe. */
final class RecentWindow {

    static final int SIZE = 64;

    final int[] ids = new int[SIZE];
    int count;
    private int next;

    void add(int id) {
        ids[next] = id;
        next = (next + 1) % SIZE;
        count = Math.min(count + 1, SIZE);
    }

    void clear() {
        count = 0;
        next = 0;
    }

    RecentWindow copy() {
        RecentWindow w = new RecentWindow();
        w.copyFrom(this);
        return w;
    }

    void copyFrom(RecentWindow other) {
        System.arraycopy(other.ids, 0, ids, 0, SIZE);
        count = other.count;
        next = other.next;
    }
}
