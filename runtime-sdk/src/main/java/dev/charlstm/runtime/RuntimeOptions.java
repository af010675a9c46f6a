package dev.charlstm.runtime;

import java.util.Objects;

/**
 * How a model is loaded into ONNX Runtime and run: device, thread counts and continuous batching.
 * Graph optimisations are always all on.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class RuntimeOptions {

    /**
     * The most rows in one graph call by default: on a 2-core AVX-512 machine a batch's throughput per core levels
     * off at 16 to 32 rows (measured with {@code charlstm bench}; see the README's speed table).
     */
    public static final int DEFAULT_MAX_ROWS_PER_CALL = 32;

    /** The largest {@link Builder#maxRowsPerCall}: throughput stops growing long before (see the README). */
    public static final int MAX_ROWS_PER_CALL_LIMIT = 4096;

    /** CPU, one intra-op thread, continuous batching on with at most {@value #DEFAULT_MAX_ROWS_PER_CALL} rows per call. */
    public static final RuntimeOptions DEFAULT = builder().build();

    private final DeviceChoice device;
    private final int intraOpThreads;
    private final boolean continuousBatching;
    private final int maxRowsPerCall;

    private RuntimeOptions(Builder b) {
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
        this.continuousBatching = b.continuousBatching;
        this.maxRowsPerCall = b.maxRowsPerCall;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.device = device;
        b.intraOpThreads = intraOpThreads;
        b.continuousBatching = continuousBatching;
        b.maxRowsPerCall = maxRowsPerCall;
        return b;
    }

    /** @return the device asked for (what it runs on: {@link CharLstmModel#provider()}) */
    public DeviceChoice device() {
        return device;
    }

    /** @return ONNX Runtime intra-op threads per session run */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** @return whether streams generating at the same time on different threads share batched graph calls */
    public boolean continuousBatching() {
        return continuousBatching;
    }

    /** @return the most rows (streams or batch requests) in one graph call */
    public int maxRowsPerCall() {
        return maxRowsPerCall;
    }

    @Override
    public String toString() {
        return device + ", " + intraOpThreads + " intra-op thread" + (intraOpThreads == 1 ? "" : "s")
                + ", continuous batching " + (continuousBatching ? "on" : "off") + ", at most " + maxRowsPerCall
                + " rows per call";
    }

    /** Builds {@link RuntimeOptions}. Not thread-safe. */
    public static final class Builder {
        private DeviceChoice device = DeviceChoice.CPU;
        private int intraOpThreads = 1;
        private boolean continuousBatching = true;
        private int maxRowsPerCall = DEFAULT_MAX_ROWS_PER_CALL;

        private Builder() {}

        /**
         *
         * @param d the device (default CPU: see {@link DeviceChoice} for why)
         *
         * @return this builder
         *
         */
        public Builder device(DeviceChoice d) {
            device = Objects.requireNonNull(d, "device");
            return this;
        }

        /**
         * @param n intra-op threads (default 1: one stream's small matrices are fastest on one thread; batches
         *     may gain from more)
         * @return this builder
         */
        public Builder intraOpThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("intra-op threads must be >= 1, got " + n);
            }
            intraOpThreads = n;
            return this;
        }

        /**
         * @param on whether streams generating at the same time on different threads share batched graph calls
         *     (default true). Off, each stream steps alone; {@code generateBatch} still batches its own requests.
         * @return this builder
         */
        public Builder continuousBatching(boolean on) {
            continuousBatching = on;
            return this;
        }

        /**
         * @param n the most rows in one graph call, 1 to {@value RuntimeOptions#MAX_ROWS_PER_CALL_LIMIT} (default
         *     {@value RuntimeOptions#DEFAULT_MAX_ROWS_PER_CALL}); more rows wait for the next call
         * @return this builder
         */
        public Builder maxRowsPerCall(int n) {
            if (n < 1 || n > MAX_ROWS_PER_CALL_LIMIT) {
                throw new IllegalArgumentException(
                        "max rows per call must be in [1, " + MAX_ROWS_PER_CALL_LIMIT + "], got " + n);
            }
            maxRowsPerCall = n;
            return this;
        }

        /** @return the options */
        public RuntimeOptions build() {
            return new RuntimeOptions(this);
        }
    }
}
