package dev.charlstm.runtime;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * How to generate: length, sampling, stop sequences, seed and what to do with unknown prompt characters.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}. One options object can serve any number of streams.
 * Serializable, so that a job's options travel with it (Spark's {@code SparkGenerator.Builder.options}).
 */
public final class GenerationOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** 200 characters, multinomial sampling at temperature 1 (the tutorial's), no stop sequences, seed 0. */
    public static final GenerationOptions DEFAULT = builder().build();

    private final int maxCharacters;
    private final SamplingParameters sampling;
    private final List<String> stopSequences;
    private final boolean emitStopSequence;
    private final long seed;
    private final UnknownCharacterPolicy unknownCharacters;
    private final int replacement;
    private final boolean logprobs;
    private final int topLogprobs;
    private final boolean cleanPrompt;

    private GenerationOptions(Builder b) {
        if (b.maxCharacters < 0) {
            throw new IllegalArgumentException("max characters must be >= 0, got " + b.maxCharacters);
        }
        this.maxCharacters = b.maxCharacters;
        // temperature 0 is greedy, as in OpenAI's API (and the server): the limit of a vanishing temperature
        this.sampling = b.temperature == 0f
                ? new SamplingParameters(true, 1f, b.topK, b.topP, b.repetitionPenalty)
                : new SamplingParameters(b.greedy, b.temperature, b.topK, b.topP, b.repetitionPenalty);
        if (b.stopSequences == null) {
            throw new IllegalArgumentException("the stop sequences are null (give an empty list for none)");
        }
        for (int i = 0; i < b.stopSequences.size(); i++) {
            String s = b.stopSequences.get(i);
            if (s == null) {
                throw new IllegalArgumentException("stop sequence " + i + " (0-based) is null");
            }
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop sequence must not be empty");
            }
        }
        this.stopSequences = List.copyOf(b.stopSequences);
        this.emitStopSequence = b.emitStopSequence;
        this.seed = b.seed;
        this.unknownCharacters = b.unknownCharacters;
        if (b.unknownCharacters == UnknownCharacterPolicy.REPLACE && b.replacement < 0) {
            throw new IllegalArgumentException("UnknownCharacterPolicy.REPLACE needs a replacement character");
        }
        if (b.unknownCharacters == UnknownCharacterPolicy.REPLACE
                && (b.replacement > Character.MAX_CODE_POINT
                        || b.replacement >= Character.MIN_SURROGATE && b.replacement <= Character.MAX_SURROGATE)) {
            throw new IllegalArgumentException(String.format(
                    "the replacement U+%04X is not a Unicode character (a"
                            + " code point up to U+10FFFF, not a surrogate)",
                    b.replacement));
        }
        this.replacement = b.replacement;
        if (b.topLogprobs < 0) {
            throw new IllegalArgumentException("top logprobs must be >= 0, got " + b.topLogprobs);
        }
        if (b.topLogprobs > 0 && !b.logprobs) {
            throw new IllegalArgumentException("top logprobs (" + b.topLogprobs + ") need logprobs(true)");
        }
        this.logprobs = b.logprobs;
        this.topLogprobs = b.topLogprobs;
        this.cleanPrompt = b.cleanPrompt;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxCharacters = maxCharacters;
        b.greedy = sampling.greedy();
        b.temperature = sampling.temperature();
        b.topK = sampling.topK();
        b.topP = sampling.topP();
        b.repetitionPenalty = sampling.repetitionPenalty();
        b.stopSequences = stopSequences;
        b.emitStopSequence = emitStopSequence;
        b.seed = seed;
        b.unknownCharacters = unknownCharacters;
        b.replacement = replacement;
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.cleanPrompt = cleanPrompt;
        return b;
    }

    /** @return the most characters to generate (stop sequences may end sooner) */
    public int maxCharacters() {
        return maxCharacters;
    }

    /** @return greedy, temperature, top-k, top-p and repetition penalty */
    public SamplingParameters sampling() {
        return sampling;
    }

    /** @return generation ends when any of these appears in the generated text */
    public List<String> stopSequences() {
        return stopSequences;
    }

    /** @return whether the stop sequence itself is passed to the callback and included in the text */
    public boolean emitStopSequence() {
        return emitStopSequence;
    }

    /** @return the sampling seed: the same seed gives the same text, on every thread */
    public long seed() {
        return seed;
    }

    /** @return what to do with prompt characters outside the vocabulary */
    public UnknownCharacterPolicy unknownCharacters() {
        return unknownCharacters;
    }

    /** @return the replacement code point for {@link UnknownCharacterPolicy#REPLACE}, or -1 */
    public int replacement() {
        return replacement;
    }

    /**
     * @return whether each generated character comes with its log-probability ({@link CharacterLogprob}: to the
     *     two-argument callbacks and in {@link GenerationResult#logprobs()})
     */
    public boolean logprobs() {
        return logprobs;
    }

    /**
     * @return whether prompts are cleaned as the model's training text was ({@code ModelManifest.textCleaning()})
     *     before they are read: line breaks become spaces for a model trained without them, whitespace runs
     *     collapse, lines the corpus dropped are dropped; positions in errors then count in the cleaned prompt
     */
    public boolean cleanPrompt() {
        return cleanPrompt;
    }

    /** @return how many of the most likely characters each {@link CharacterLogprob} lists (0 = none) */
    public int topLogprobs() {
        return topLogprobs;
    }

    /** Builds {@link GenerationOptions}; values are checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private int maxCharacters = 200;
        private boolean greedy;
        private float temperature = 1f;
        private int topK;
        private float topP = 1f;
        private float repetitionPenalty = 1f;
        private List<String> stopSequences = List.of();
        private boolean emitStopSequence;
        private long seed;
        private UnknownCharacterPolicy unknownCharacters = UnknownCharacterPolicy.ERROR;
        private int replacement = -1;
        private boolean logprobs;
        private int topLogprobs;
        private boolean cleanPrompt;

        private Builder() {}

        /**
         *
         * @param n most characters to generate (default 200)
         *
         * @return this builder
         *
         */
        public Builder maxCharacters(int n) {
            maxCharacters = n;
            return this;
        }

        /**
         *
         * @param g take the most likely character every step (default false)
         *
         * @return this builder
         *
         */
        public Builder greedy(boolean g) {
            greedy = g;
            return this;
        }

        /**
         * Sets the softmax temperature.
         *
         * @param t divides the logits: below 1 sharpens, above 1 flattens (default 1); 0 means greedy, as in
         *     OpenAI's API (the most likely character every step: the same as {@link #greedy(boolean) greedy(true)})
         * @return this builder
         */
        public Builder temperature(double t) {
            temperature = (float) t;
            return this;
        }

        /**
         *
         * @param k sample among the k most likely characters; 0 = all (default)
         *
         * @return this builder
         *
         */
        public Builder topK(int k) {
            topK = k;
            return this;
        }

        /**
         * Sets nucleus (top-p) sampling.
         *
         * @param p keep the smallest set of most likely characters whose probability reaches p, in (0, 1]; 1 = off
         *     (default)
         * @return this builder
         */
        public Builder topP(double p) {
            topP = (float) p;
            return this;
        }

        /**
         * Sets the repetition penalty.
         *
         * @param r at least 1, for characters seen in the last 64; 1 = off (default)
         * @return this builder
         */
        public Builder repetitionPenalty(double r) {
            repetitionPenalty = (float) r;
            return this;
        }

        /**
         *
         * @param stops stop sequences (none by default)
         *
         * @return this builder
         *
         */
        public Builder stopSequences(List<String> stops) {
            // copied as given (nulls too): build() names what is wrong, as it does for every other value
            stopSequences = stops == null ? null : Collections.unmodifiableList(new ArrayList<>(stops));
            return this;
        }

        /**
         *
         * @param stops stop sequences
         *
         * @return this builder
         *
         */
        public Builder stopSequences(String... stops) {
            return stopSequences(stops == null ? null : Arrays.asList(stops));
        }

        /**
         *
         * @param emit also emit the stop sequence that ended generation (default false)
         *
         * @return this builder
         *
         */
        public Builder emitStopSequence(boolean emit) {
            emitStopSequence = emit;
            return this;
        }

        /**
         *
         * @param s the sampling seed (default 0)
         *
         * @return this builder
         *
         */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         *
         * @param policy for prompt characters outside the vocabulary (default ERROR)
         *
         * @return this builder
         *
         */
        public Builder unknownCharacters(UnknownCharacterPolicy policy) {
            unknownCharacters = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sets {@link UnknownCharacterPolicy#REPLACE} with this replacement.
         *
         * @param codePoint the character fed instead of an unknown one; must be in the vocabulary
         * @return this builder
         */
        public Builder replacement(int codePoint) {
            unknownCharacters = UnknownCharacterPolicy.REPLACE;
            replacement = codePoint;
            return this;
        }

        /**
         * Asks for each generated character's log-probability under the model (off by default: it costs a softmax
         * over the vocabulary per character, and an object per character).
         *
         * @param on whether to compute them
         * @return this builder
         */
        public Builder logprobs(boolean on) {
            logprobs = on;
            return this;
        }

        /**
         * @param clean clean prompts as the model's training text was (default false: prompts are read as given,
         *     and a character the model never saw, such as a line break for a model trained without them, is
         *     handled by the unknown-character policy)
         * @return this builder
         */
        public Builder cleanPrompt(boolean clean) {
            cleanPrompt = clean;
            return this;
        }

        /**
         * @param n how many of the most likely characters to list with each character's log-probability (default
         *     0; needs {@link #logprobs(boolean)}; more than the vocabulary lists the whole vocabulary)
         * @return this builder
         */
        public Builder topLogprobs(int n) {
            topLogprobs = n;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first invalid value
         */
        public GenerationOptions build() {
            return new GenerationOptions(this);
        }
    }
}
