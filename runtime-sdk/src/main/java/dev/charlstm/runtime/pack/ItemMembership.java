package dev.charlstm.runtime.pack;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which items a set holds, without holding them: a Bloom filter over the items' SHA-256 digests, so a package can say
 * whether a generated name was among its training items while shipping none of them. {@link #mightContain} never
 * answers false for an item of the set, and answers true for an item outside it with probability
 * {@link #falsePositiveRate()} (about 1 in 10,000 as the trainer builds it).
 *
 * <p>The structure, for other readers (docs/model-package.md): {@code m} bits, {@code k} probes. An item's probes come
 * from the SHA-256 of its UTF-8 bytes: {@code h1} and {@code h2} are the digest's first and second 8 bytes read as
 * big-endian 64-bit integers, {@code h2} with its lowest bit set, and probe {@code i} ({@code 0 <= i < k}) is bit
 * {@code (h1 + i·h2) mod m}, the sum taken modulo 2^64 and the remainder unsigned. Bit {@code j} is bit
 * {@code j mod 8} (least significant first) of byte {@code j / 8}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ItemMembership {

    /** The false-positive rate the trainer builds for. */
    public static final double DEFAULT_FALSE_POSITIVE_RATE = 1e-4;

    private final int count;
    private final long bits;
    private final int hashes;
    private final byte[] filter;

    ItemMembership(int count, long bits, int hashes, byte[] filter) {
        if (count < 0 || bits < 8 || hashes < 1 || hashes > 64 || filter.length != (bits + 7) / 8) {
            throw new IllegalArgumentException("a membership filter needs count >= 0, bits >= 8, 1 to 64 hashes and"
                    + " (bits + 7) / 8 bytes; got count " + count + ", " + bits + " bits, " + hashes + " hashes, "
                    + filter.length + " bytes");
        }
        this.count = count;
        this.bits = bits;
        this.hashes = hashes;
        this.filter = filter;
    }

    /**
     * Builds the structure for a set of items, sized for a false-positive rate: m = ⌈−n·ln p / ln²2⌉ bits (at least
     * 64) and k = round(m/n · ln 2) probes.
     *
     * @param items the items (duplicates count once)
     * @param falsePositiveRate the share of outside items to be mistaken for members, in (0, 0.5)
     * @return the structure
     * @throws IllegalArgumentException if the rate is outside (0, 0.5)
     */
    public static ItemMembership of(Collection<String> items, double falsePositiveRate) {
        if (!(falsePositiveRate > 0 && falsePositiveRate < 0.5)) {
            throw new IllegalArgumentException("false-positive rate must be in (0, 0.5), got " + falsePositiveRate);
        }
        Set<String> distinct = new HashSet<>(items);
        int n = Math.max(1, distinct.size());
        double ln2 = Math.log(2);
        long m = Math.max(64, (long) Math.ceil(-n * Math.log(falsePositiveRate) / (ln2 * ln2)));
        int k = (int) Math.max(1, Math.min(64, Math.round((double) m / n * ln2)));
        ItemMembership set = new ItemMembership(distinct.size(), m, k, new byte[(int) ((m + 7) / 8)]);
        for (String item : distinct) {
            long[] h = digest(item);
            for (int i = 0; i < k; i++) {
                long bit = Long.remainderUnsigned(h[0] + i * h[1], m);
                set.filter[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
            }
        }
        return set;
    }

    /**
     * @param item an item, cleaned as the package's items were (one line, NFC)
     * @return false if the item is certainly not in the set; true if it is, or (with probability
     *     {@link #falsePositiveRate()}) if it is not
     */
    public boolean mightContain(String item) {
        long[] h = digest(item);
        for (int i = 0; i < hashes; i++) {
            long bit = Long.remainderUnsigned(h[0] + i * h[1], bits);
            if ((filter[(int) (bit >>> 3)] & (1 << (bit & 7))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** @return {h1, h2}: the SHA-256 digest's first two big-endian longs, h2 odd */
    private static long[] digest(String item) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("SHA-256").digest(item.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        long h1 = 0;
        long h2 = 0;
        for (int i = 0; i < 8; i++) {
            h1 = (h1 << 8) | (d[i] & 0xFF);
            h2 = (h2 << 8) | (d[8 + i] & 0xFF);
        }
        return new long[] {h1, h2 | 1};
    }

    /** @return the number of distinct items the set was built from */
    public int count() {
        return count;
    }

    /** @return the filter's size m in bits */
    public long bits() {
        return bits;
    }

    /** @return the number of probes k per item */
    public int hashes() {
        return hashes;
    }

    /**
     * @return the probability that an item outside the set is reported as a member: (1 − e^(−k·n/m))^k for n items,
     *     m bits and k probes
     */
    public double falsePositiveRate() {
        return Math.pow(1 - Math.exp(-(double) hashes * count / bits), hashes);
    }

    /** The filter's bytes themselves, for the writer. */
    byte[] filterShared() {
        return filter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemMembership other
                && count == other.count
                && bits == other.bits
                && hashes == other.hashes
                && Arrays.equals(filter, other.filter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, bits, hashes, Arrays.hashCode(filter));
    }

    @Override
    public String toString() {
        return count + " items in " + bits + " bits, " + hashes + " probes (false positives "
                + String.format(Locale.ROOT, "%.2g", falsePositiveRate()) + ")";
    }
}
