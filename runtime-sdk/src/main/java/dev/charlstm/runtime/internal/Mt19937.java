package dev.charlstm.runtime.internal;

/**
 * The 32-bit Mersenne Twister (MT19937, Matsumoto and Nishimura 1998) seeded as its reference {@code init_genrand}
 * does: the generator behind PyTorch's CPU {@code torch.manual_seed} and {@code torch.randperm}, here so that a list's
 * held-out items are the very ones makemore holds out for the same seed. Not thread-safe.
 */
public final class Mt19937 {

    private static final int N = 624;
    private static final int M = 397;

    private final int[] mt = new int[N];
    private int index = N;

    /** @param seed the seed; its low 32 bits are used, as PyTorch uses them */
    public Mt19937(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
    }

    /** @return the next 32 random bits, as an unsigned value in a long */
    public long nextUnsigned32() {
        if (index >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            index = 0;
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xFFFFFFFFL;
    }

    /**
     * A random permutation of 0..n-1 exactly as PyTorch 1.13's CPU {@code torch.randperm(n)} draws it after
     * {@code torch.manual_seed(seed)}: for i = 0 .. n-2, swap positions i and {@code i + next() mod (n - i)}.
     *
     * @param n the length
     * @param seed the seed
     * @return the permutation
     */
    public static int[] randperm(int n, long seed) {
        Mt19937 g = new Mt19937(seed);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (g.nextUnsigned32() % (n - i));
            int t = r[i];
            r[i] = r[z + i];
            r[z + i] = t;
        }
        return r;
    }
}
