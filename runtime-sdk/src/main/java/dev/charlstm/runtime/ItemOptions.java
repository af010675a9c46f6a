package dev.charlstm.runtime;

import java.util.Objects;

/**
 * How {@link CharLstmModel#generateItems} makes items for a model trained on a list: the generation options (sampling,
 * seed, the length cap {@link GenerationOptions#maxCharacters()}), a prefix every item starts with, and whether to
 * keep only items that are new.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class ItemOptions {

    /** Default generation options, no prefix, every item kept. */
    public static final ItemOptions DEFAULT = builder().build();

    private final GenerationOptions generation;
    private final String prefix;
    private final boolean novel;

    private ItemOptions(Builder b) {
        this.generation = Objects.requireNonNull(b.generation, "generation options");
        this.prefix = Objects.requireNonNull(b.prefix, "prefix");
        this.novel = b.novel;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        return new Builder().generation(generation).prefix(prefix).novel(novel);
    }

    /**
     * @return sampling, the seed (item i of a call samples with {@code seed + i}), the cap on an item's length in
     *     characters after its prefix ({@code maxCharacters}: 200 by default; {@code charlstm generate --items} uses
     *     twice the package's longest item, {@code manifest().items().maxLength()}), the policy for unknown prefix
     *     characters; no stop sequences (an item ends at its end symbol)
     */
    public GenerationOptions generation() {
        return generation;
    }

    /** @return the text every item starts with (cleaned as one line), or empty */
    public String prefix() {
        return prefix;
    }

    /**
     * @return whether only new items are kept: in neither the package's training nor its held-out items (by its
     *     membership structures), not empty, not repeated within the call, and ended by the model rather than cut at
     *     the cap
     */
    public boolean novel() {
        return novel;
    }

    /** Builds {@link ItemOptions}. Not thread-safe. */
    public static final class Builder {
        private GenerationOptions generation = GenerationOptions.DEFAULT;
        private String prefix = "";
        private boolean novel;

        private Builder() {}

        /**
         * @param v sampling, seed, length cap, unknown-character policy (default {@link GenerationOptions#DEFAULT})
         * @return this builder
         */
        public Builder generation(GenerationOptions v) {
            generation = v;
            return this;
        }

        /**
         * @param v the text every item starts with, e.g. {@code "Ja"}; empty for none (null = empty)
         * @return this builder
         */
        public Builder prefix(String v) {
            prefix = v == null ? "" : v;
            return this;
        }

        /**
         * @param v keep only new items (in neither the training nor the held-out items, not repeated, ended by the
         *     model)
         * @return this builder
         */
        public Builder novel(boolean v) {
            novel = v;
            return this;
        }

        /**
         * @return the options
         * @throws NullPointerException if the generation options are null
         */
        public ItemOptions build() {
            return new ItemOptions(this);
        }
    }
}
