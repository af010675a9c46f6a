package dev.charlstm.runtime.internal;

/**
 * The SplitMix64 generator: one {@code long} of state, so a stream's random position can be snapshotted and
 * restored exactly (which {@link java.util.SplittableRandom} does not allow). Not thread-safe.
 */
public final class SplitMix64 {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /** @param seed the seed */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** @return the next 64 random bits */
    public long nextLong() {
        long z = (state += GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @return a uniform double in [0, 1) */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** @return the state, for {@link #setState} */
    public long state() {
        return state;
    }

    /** @param state a value {@link #state()} returned */
    public void setState(long state) {
        this.state = state;
    }
}
