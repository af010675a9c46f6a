package dev.charlstm.runtime;

import dev.charlstm.runtime.internal.Mt19937;

/**
 * What {@link CharLstmModel#evaluate} scores and how. By default it reproduces the validation loss the trainer
 * recorded in the package: the held-out tail of the text (the last {@code held_out_fraction} of it, the same code
 * points the trainer held out) cut into windows of the recorded length, each scored from zero state.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class EvaluationOptions {

    /** The package's own settings: its held-out tail and window. */
    public static final EvaluationOptions DEFAULT = builder().build();

    private final boolean wholeText;
    private final int window;
    private final double heldOutFraction;
    private final int windowsPerCall;
    private final boolean cleanText;

    private EvaluationOptions(Builder b) {
        this.wholeText = b.wholeText;
        this.window = b.window;
        this.heldOutFraction = b.heldOutFraction;
        this.windowsPerCall = b.windowsPerCall;
        this.cleanText = b.cleanText;
    }

    /**
     * @return whether the text is first cleaned as the package's training text was ({@code
     *     ModelManifest.textCleaning()}): a raw chapter can then be scored as it is on disk
     */
    public boolean cleanText() {
        return cleanText;
    }

    /** @return a builder with the package's settings */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether the whole text is scored instead of its held-out tail */
    public boolean wholeText() {
        return wholeText;
    }

    /** @return the window length in characters, or 0 for the package's recorded one */
    public int window() {
        return window;
    }

    /** @return the held-out share of the text, or NaN for the package's recorded one */
    public double heldOutFraction() {
        return heldOutFraction;
    }

    /** @return how many windows one graph call scores */
    public int windowsPerCall() {
        return windowsPerCall;
    }

    /**
     * Where the held-out tail of a text starts: the trainer and {@code eval} cut at the same code point, by the same
     * arithmetic as the reference script's {@code int(n * 0.9)}.
     *
     * @param length the text's length in code points
     * @param fraction the held-out share, in (0, 1)
     * @return the index of the first held-out code point
     * @throws IllegalArgumentException if the fraction is not in (0, 1)
     */
    public static int heldOutStart(int length, double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + fraction);
        }
        return (int) (length * (1.0 - fraction));
    }

    /** The most items a list holds out, whatever its size (makemore's rule: 10% of the items, at most 1,000). */
    public static final int MAX_HELD_OUT_ITEMS = 1000;

    /**
     * Which items of a list are held out: makemore's rule and draw, so that the same seed holds out the very items
     * makemore holds out ({@code makemore.py --seed 3407}, its default, and {@code charlstm train --lines --seed 3407}
     * test on the same 1,000 names). {@code count = min(1000, floor(n · fraction))}; the permutation is PyTorch's
     * {@code torch.randperm(n)} after {@code torch.manual_seed(seed)} (MT19937 seeded with the seed's low 32 bits; for
     * i = 0 .. n-2, swap positions i and i + (next 32 bits mod (n - i))); the held-out items are those at its last
     * {@code count} positions, as makemore's {@code rp[-test_set_size:]}.
     *
     * @param items the number of items n
     * @param fraction the held-out share, in (0, 1)
     * @param seed the seed
     * @return {@code held[i]} is true when item {@code i} (in file order) is held out
     * @throws IllegalArgumentException if the fraction is not in (0, 1)
     */
    public static boolean[] heldOutItems(int items, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + fraction);
        }
        int count = (int) Math.min(MAX_HELD_OUT_ITEMS, Math.floor(items * fraction));
        int[] perm = Mt19937.randperm(items, seed);
        boolean[] held = new boolean[items];
        for (int i = items - count; i < items; i++) {
            held[perm[i]] = true;
        }
        return held;
    }

    /**
     * The number of windows a text of {@code length} ids holds: window {@code i} covers ids
     * {@code [i·w, i·w + w]} (w inputs, each predicting the next id), so consecutive windows share one id.
     *
     * @param length the number of ids
     * @param window the window length w
     * @return the number of whole windows
     */
    public static int windows(int length, int window) {
        return Math.max(0, (length - 1) / window);
    }

    /** Builds {@link EvaluationOptions}. Not thread-safe. */
    public static final class Builder {
        private boolean wholeText;
        private int window;
        private double heldOutFraction = Double.NaN;
        private int windowsPerCall = 64;
        private boolean cleanText;

        private Builder() {}

        /**
         * @param v clean the text as the package's training text was before scoring it (default false: the text is
         *     expected clean already, as {@code charlstm eval} cleans it)
         * @return this builder
         */
        public Builder cleanText(boolean v) {
            cleanText = v;
            return this;
        }

        /**
         *
         * @param v true to score the whole text rather than its held-out tail
         *
         * @return this builder
         *
         */
        public Builder wholeText(boolean v) {
            wholeText = v;
            return this;
        }

        /**
         * @param v the window length in characters (0 = the package's)
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder window(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("window must be positive (or 0 for the package's), got " + v);
            }
            window = v;
            return this;
        }

        /**
         * @param v the held-out share in (0, 1), or NaN for the package's
         * @return this builder
         * @throws IllegalArgumentException if outside (0, 1)
         */
        public Builder heldOutFraction(double v) {
            if (!Double.isNaN(v) && !(v > 0 && v < 1)) {
                throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + v);
            }
            heldOutFraction = v;
            return this;
        }

        /**
         * @param v windows per graph call (more is faster, up to memory), at least 1
         * @return this builder
         */
        public Builder windowsPerCall(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("windows per call must be at least 1, got " + v);
            }
            windowsPerCall = v;
            return this;
        }

        /** @return the options */
        public EvaluationOptions build() {
            return new EvaluationOptions(this);
        }
    }
}
