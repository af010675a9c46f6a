package dev.charlstm.runtime;

import java.util.Objects;

/**
 * How a model is loaded into ONNX Runtime: execution provider and thread counts. Graph optimisations are always
 * all on.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class RuntimeOptions {

    /** CPU, one intra-op thread. */
    public static final RuntimeOptions DEFAULT = builder().build();

    private final ExecutionProvider provider;
    private final int intraOpThreads;

    private RuntimeOptions(Builder b) {
        this.provider = b.provider;
        this.intraOpThreads = b.intraOpThreads;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the execution provider */
    public ExecutionProvider provider() {
        return provider;
    }

    /** @return ONNX Runtime intra-op threads per session run */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    @Override
    public String toString() {
        return provider + ", " + intraOpThreads + " intra-op thread" + (intraOpThreads == 1 ? "" : "s");
    }

    /** Builds {@link RuntimeOptions}. Not thread-safe. */
    public static final class Builder {
        private ExecutionProvider provider = ExecutionProvider.CPU;
        private int intraOpThreads = 1;

        private Builder() {}

        /** @param p the execution provider (default CPU) @return this builder */
        public Builder provider(ExecutionProvider p) {
            provider = Objects.requireNonNull(p, "provider");
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

        /** @return the options */
        public RuntimeOptions build() {
            return new RuntimeOptions(this);
        }
    }
}
