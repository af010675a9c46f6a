package dev.charlstm.trainer.config;

import dev.charlstm.runtime.pack.ModelShape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that decides what a training run computes, as five sections: the model's shape (V comes from the
 * corpus, so it is 0 here), the data (batches and the held-out tail), the optimisation, the schedule and the
 * evaluations. Checkpoints store it whole, so a resumed run continues under the same configuration; packages
 * record it.
 *
 * <p>Each hyper-parameter is declared once, in the table below ({@link #ALL}): its JSON key, CLI option, help,
 * default (the tutorial's) and range. The CLI's options, the presets ({@link Preset}), the JSON form
 * ({@link #toSections}, {@link #fromSections}) and the validation ({@link Builder#build}) all read that table.
 * Adding one means: a record component, a table entry, a line in {@link #assemble}.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()} or start from a {@link Preset}.
 *
 * @param model E, H, L and dropout; V is 0 (see {@link ModelShape#withVocabSize})
 * @param data how batches and the validation text are drawn
 * @param optimisation AdamW and the loss
 * @param schedule how long and at what learning rate
 * @param evaluation what each evaluation reports
 */
public record TrainingConfig(
        ModelShape model, Data data, Optimisation optimisation, Schedule schedule, Evaluation evaluation) {

    /**
     * @param batchSize windows per batch
     * @param seqLen window length in characters (teacher forcing over every position)
     * @param validationFraction the share of the text held out at its end for validation
     * @param seed the seed of initialisation, batches and samples
     */
    public record Data(int batchSize, int seqLen, double validationFraction, long seed) {}

    /**
     * @param learningRate the peak learning rate
     * @param weightDecay AdamW's decoupled weight decay (PyTorch's default 0.01)
     * @param gradClip the maximum global gradient L2 norm; 0 = no clipping
     * @param labelSmoothing ε: the training target puts 1 − ε on the next character and ε spread evenly over all V
     *     (PyTorch's {@code label_smoothing}); 0 = plain cross-entropy. Validation always measures plain
     *     cross-entropy
     */
    public record Optimisation(float learningRate, float weightDecay, float gradClip, float labelSmoothing) {}

    /**
     * @param iterations the iteration count the run trains to
     * @param kind the learning-rate schedule after warm-up
     * @param warmupIterations iterations of linear warm-up from 0 to the learning rate
     * @param finalLearningRateFraction with {@link ScheduleKind#COSINE}, the final learning rate as a fraction of the
     *     peak
     */
    public record Schedule(int iterations, ScheduleKind kind, int warmupIterations, float finalLearningRateFraction) {}

    /**
     * @param interval iterations between evaluations (validation loss, sample, checkpoint)
     * @param samplePrompt the prompt whose continuation each evaluation prints
     * @param sampleLength characters sampled at each evaluation; 0 = no sample
     */
    public record Evaluation(int interval, String samplePrompt, int sampleLength) {}

    /** Learning-rate schedule after warm-up. */
    public enum ScheduleKind {
        /** The tutorial's: a fixed learning rate. */
        CONSTANT,
        /** Cosine decay from the learning rate to {@code final_learning_rate_fraction} of it at the last iteration. */
        COSINE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    // ------------------------------------------------------------------------------------------------ the table

    private static final String POSITIVE = "must be positive";
    /** The most characters one batch may hold: 2^26, gigabytes of activations; beyond, the arrays cannot be made. */
    static final long MAX_BATCH_CHARACTERS = 1L << 26;

    /** E. */
    public static final Hyperparameter<Integer> EMBEDDING_SIZE = Hyperparameter.of(
                    "model.embedding_size", Integer.class, 128, c -> c.model().embeddingSize())
            .option("--embedding", "E")
            .named("embedding size", "Embedding size")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** H. */
    public static final Hyperparameter<Integer> HIDDEN_SIZE = Hyperparameter.of(
                    "model.hidden_size", Integer.class, 256, c -> c.model().hiddenSize())
            .option("--hidden", "H")
            .named("hidden size", "LSTM hidden size")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** L. */
    public static final Hyperparameter<Integer> LAYERS = Hyperparameter.of(
                    "model.layers", Integer.class, 3, c -> c.model().layers())
            .option("--layers", "L")
            .named("layers", "Stacked LSTM layers")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** Dropout between LSTM layers while training. */
    public static final Hyperparameter<Float> DROPOUT = Hyperparameter.of(
                    "model.dropout", Float.class, 0f, c -> c.model().dropout())
            .option("--dropout", "P")
            .named("dropout", "Dropout between LSTM layers while training")
            .valid("must be in [0, 1)", v -> v >= 0 && v < 1)
            .build();
    /** Windows per batch. */
    public static final Hyperparameter<Integer> BATCH_SIZE = Hyperparameter.of(
                    "data.batch_size", Integer.class, 128, c -> c.data().batchSize())
            .option("--batch", "B")
            .named("batch size", "Windows per batch")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** Window length. */
    public static final Hyperparameter<Integer> SEQ_LEN = Hyperparameter.of(
                    "data.seq_len", Integer.class, 300, c -> c.data().seqLen())
            .option("--seq-len", "T")
            .named("sequence length", "Window length in characters")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** The held-out share. */
    public static final Hyperparameter<Double> VALIDATION_FRACTION = Hyperparameter.of(
                    "data.validation_fraction", Double.class, 0.1, c -> c.data().validationFraction())
            .option("--val-fraction", "F")
            .named("validation fraction", "Share of the text, at its end, held out for validation")
            .valid("must be in (0, 1)", v -> v > 0 && v < 1)
            .build();
    /** The seed. */
    public static final Hyperparameter<Long> SEED = Hyperparameter.of(
                    "data.seed", Long.class, 0L, c -> c.data().seed())
            .option("--seed", "N")
            .named("seed", "Seed of initialisation, batches and samples")
            .valid("may be any integer", v -> true)
            .build();
    /** Peak learning rate. */
    public static final Hyperparameter<Float> LEARNING_RATE = Hyperparameter.of(
                    "optimisation.learning_rate",
                    Float.class,
                    0.003f,
                    c -> c.optimisation().learningRate())
            .option("--lr", "RATE")
            .named("learning rate", "AdamW learning rate")
            .valid(POSITIVE, v -> v > 0 && !v.isInfinite())
            .build();
    /** AdamW weight decay. */
    public static final Hyperparameter<Float> WEIGHT_DECAY = Hyperparameter.of(
                    "optimisation.weight_decay",
                    Float.class,
                    0.01f,
                    c -> c.optimisation().weightDecay())
            .option("--weight-decay", "WD")
            .named("weight decay", "AdamW decoupled weight decay")
            .valid("must be >= 0", v -> v >= 0 && !v.isInfinite())
            .build();
    /** Clip norm. */
    public static final Hyperparameter<Float> GRAD_CLIP = Hyperparameter.of(
                    "optimisation.grad_clip",
                    Float.class,
                    0f,
                    c -> c.optimisation().gradClip())
            .option("--grad-clip", "NORM")
            .named("gradient clip norm", "Clip gradients to this global L2 norm; 0 = off")
            .valid("must be >= 0 (0 = off)", v -> v >= 0)
            .build();
    /** Label smoothing of the training loss. */
    public static final Hyperparameter<Float> LABEL_SMOOTHING = Hyperparameter.of(
                    "optimisation.label_smoothing",
                    Float.class,
                    0f,
                    c -> c.optimisation().labelSmoothing())
            .option("--label-smoothing", "EPS")
            .named(
                    "label smoothing",
                    "Training loss with label smoothing: 1 - EPS on the next character, EPS spread over all; 0 = off")
            .valid("must be in [0, 1)", v -> v >= 0 && v < 1)
            .addedLater()
            .build();
    /** The iteration target. */
    public static final Hyperparameter<Integer> ITERATIONS = Hyperparameter.of(
                    "schedule.iterations",
                    Integer.class,
                    3000,
                    c -> c.schedule().iterations())
            .option("--iterations", "N")
            .named("iterations", "Iterations to train to")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** The schedule's kind. */
    public static final Hyperparameter<ScheduleKind> SCHEDULE = Hyperparameter.of(
                    "schedule.kind",
                    ScheduleKind.class,
                    ScheduleKind.CONSTANT,
                    c -> c.schedule().kind())
            .option("--schedule", "KIND")
            .named("schedule", "Learning-rate schedule after warm-up: constant or cosine")
            .valid("must be constant or cosine", Objects::nonNull)
            .build();
    /** Warm-up. */
    public static final Hyperparameter<Integer> WARMUP = Hyperparameter.of(
                    "schedule.warmup_iterations",
                    Integer.class,
                    0,
                    c -> c.schedule().warmupIterations())
            .option("--warmup", "N")
            .named("warm-up iterations", "Linear warm-up iterations")
            .valid("must be >= 0", v -> v >= 0)
            .build();
    /** Cosine's end. */
    public static final Hyperparameter<Float> FINAL_LR_FRACTION = Hyperparameter.of(
                    "schedule.final_learning_rate_fraction",
                    Float.class,
                    0.1f,
                    c -> c.schedule().finalLearningRateFraction())
            .option("--final-lr-fraction", "F")
            .named("final learning-rate fraction", "Cosine: final learning rate as a fraction of --lr")
            .valid("must be in [0, 1]", v -> v >= 0 && v <= 1)
            .build();
    /** Evaluation interval. */
    public static final Hyperparameter<Integer> EVAL_INTERVAL = Hyperparameter.of(
                    "evaluation.interval",
                    Integer.class,
                    300,
                    c -> c.evaluation().interval())
            .option("--eval-interval", "N")
            .named("eval interval", "Iterations between evaluations: validation loss, a sample and a checkpoint")
            .valid(POSITIVE, v -> v > 0)
            .build();
    /** The sample's prompt. */
    public static final Hyperparameter<String> SAMPLE_PROMPT = Hyperparameter.of(
                    "evaluation.sample_prompt",
                    String.class,
                    "The ",
                    c -> c.evaluation().samplePrompt())
            .option("--prompt", "TEXT")
            .named("sample prompt", "Prompt whose continuation each evaluation prints")
            .valid("must be given", Objects::nonNull)
            .build();
    /** The sample's length. */
    public static final Hyperparameter<Integer> SAMPLE_LENGTH = Hyperparameter.of(
                    "evaluation.sample_length",
                    Integer.class,
                    200,
                    c -> c.evaluation().sampleLength())
            .option("--sample-length", "N")
            .named("sample length", "Characters sampled at each evaluation; 0 = none")
            .valid("must be >= 0", v -> v >= 0)
            .build();

    /** Every hyper-parameter, in the order of help and JSON. */
    public static final List<Hyperparameter<?>> ALL = List.of(
            EMBEDDING_SIZE,
            HIDDEN_SIZE,
            LAYERS,
            DROPOUT,
            BATCH_SIZE,
            SEQ_LEN,
            VALIDATION_FRACTION,
            SEED,
            LEARNING_RATE,
            WEIGHT_DECAY,
            GRAD_CLIP,
            LABEL_SMOOTHING,
            ITERATIONS,
            SCHEDULE,
            WARMUP,
            FINAL_LR_FRACTION,
            EVAL_INTERVAL,
            SAMPLE_PROMPT,
            SAMPLE_LENGTH);

    /** The one place values become sections; {@code v} holds a checked value for every entry of {@link #ALL}. */
    private static TrainingConfig assemble(Builder v) {
        return new TrainingConfig(
                new ModelShape(0, v.get(EMBEDDING_SIZE), v.get(HIDDEN_SIZE), v.get(LAYERS), v.get(DROPOUT)),
                new Data(v.get(BATCH_SIZE), v.get(SEQ_LEN), v.get(VALIDATION_FRACTION), v.get(SEED)),
                new Optimisation(v.get(LEARNING_RATE), v.get(WEIGHT_DECAY), v.get(GRAD_CLIP), v.get(LABEL_SMOOTHING)),
                new Schedule(v.get(ITERATIONS), v.get(SCHEDULE), v.get(WARMUP), v.get(FINAL_LR_FRACTION)),
                new Evaluation(v.get(EVAL_INTERVAL), v.get(SAMPLE_PROMPT), v.get(SAMPLE_LENGTH)));
    }

    // ------------------------------------------------------------------------------------------------ the rest

    /**
     * Checks every value against the table (the one set of rules, whichever way a configuration is made) and drops a
     * vocabulary size from the model section (the corpus gives it).
     *
     * @throws Hyperparameter.Invalid naming the first value out of range, e.g. {@code learning rate must be positive,
     *     got -1.0}
     */
    public TrainingConfig(
            ModelShape model, Data data, Optimisation optimisation, Schedule schedule, Evaluation evaluation) {
        Objects.requireNonNull(model, "model");
        this.model = model.vocabSize() == 0
                ? model
                : new ModelShape(0, model.embeddingSize(), model.hiddenSize(), model.layers(), model.dropout());
        this.data = Objects.requireNonNull(data, "data");
        this.optimisation = Objects.requireNonNull(optimisation, "optimisation");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.evaluation = Objects.requireNonNull(evaluation, "evaluation");
        for (Hyperparameter<?> p : ALL) {
            check(p, p.valueIn(this));
        }
        long perBatch = (long) data.batchSize() * (data.seqLen() + 1);
        if (perBatch > MAX_BATCH_CHARACTERS) {
            throw new Hyperparameter.Invalid(
                    BATCH_SIZE,
                    "a batch of " + data.batchSize() + " windows of "
                            + data.seqLen() + " + 1 characters is " + perBatch + " characters, more than "
                            + MAX_BATCH_CHARACTERS);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void check(Hyperparameter<T> p, Object value) {
        p.check((T) value);
    }

    /** @return a builder holding the defaults: the tutorial's configuration, {@link Preset#SEED} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder initialised with this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (Hyperparameter<?> p : ALL) {
            b.values.put(p, p.valueIn(this));
        }
        return b;
    }

    /**
     * @param vocabSize V, from the corpus
     * @return the model's whole shape
     */
    public ModelShape shape(int vocabSize) {
        return model.withVocabSize(vocabSize);
    }

    /** @return characters consumed per iteration */
    public long charactersPerIteration() {
        return (long) data.batchSize() * data.seqLen();
    }

    /**
     * @return the configuration as JSON-ready sections ({@code model}, {@code data}, {@code optimisation},
     *     {@code schedule}, {@code evaluation}) of snake_case keys; integers as {@link Integer} or {@link Long},
     *     enums by lower-case name
     */
    public Map<String, Map<String, Object>> toSections() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Hyperparameter<?> p : ALL) {
            out.computeIfAbsent(p.section(), k -> new LinkedHashMap<>()).put(p.field(), json(p));
        }
        return out;
    }

    private <T> Object json(Hyperparameter<T> p) {
        return p.toJson(p.valueIn(this));
    }

    /**
     * Reads the sections {@link #toSections} writes. Every key is required, but for one added later
     * ({@link Hyperparameter#optional()}), which then takes its default: the behaviour from before it existed.
     *
     * @param sections sections of plain JSON values (any section may be missing)
     * @return the configuration
     * @throws IllegalArgumentException naming a missing key, an unknown key (written by a newer charlstm), a value of
     *     the wrong type or out of range
     */
    public static TrainingConfig fromSections(Map<String, ?> sections) {
        for (Hyperparameter<?> p : ALL) {
            if (!p.optional() && !(sections.get(p.section()) instanceof Map<?, ?> m && m.get(p.field()) != null)) {
                throw new IllegalArgumentException(p.key() + " is missing");
            }
        }
        Builder b = new Builder();
        for (Map.Entry<String, ?> s : sections.entrySet()) {
            if (!(s.getValue() instanceof Map<?, ?> fields)) {
                throw new IllegalArgumentException(s.getKey() + " must be an object of hyper-parameters");
            }
            for (Map.Entry<?, ?> f : fields.entrySet()) {
                String key = s.getKey() + "." + f.getKey();
                b.setFromJson(byKey(key), f.getValue());
            }
        }
        return b.build();
    }

    /**
     * @param key e.g. {@code optimisation.learning_rate}
     * @return its hyper-parameter
     * @throws IllegalArgumentException if there is none
     */
    public static Hyperparameter<?> byKey(String key) {
        for (Hyperparameter<?> p : ALL) {
            if (p.key().equals(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown hyper-parameter " + key + " (a newer charlstm's?)");
    }

    /**
     * @return every value on one line, from the table (so a new hyper-parameter shows without another edit), e.g.
     *     {@code E128 H256 L2 dropout 0.2; data: batch_size 32, seq_len 128, ...; optimisation: learning_rate 0.005, ...}
     */
    @Override
    public String toString() {
        return model + "; " + settings();
    }

    /** @return every value but the model's, on one line, from the table: {@code data: batch_size 32, ...; ...} */
    public String settings() {
        StringBuilder b = new StringBuilder();
        String section = "model";
        for (Hyperparameter<?> p : ALL) {
            if (p.section().equals("model")) {
                continue;
            }
            b.append(p.section().equals(section) ? ", " : (b.length() == 0 ? "" : "; ") + p.section() + ": ");
            section = p.section();
            b.append(p.field()).append(' ').append(p.format(p.valueIn(this)));
        }
        return b.toString();
    }

    /** Builds a {@link TrainingConfig}; every value is checked by {@link #build()}, the one place. Not thread-safe. */
    public static final class Builder {
        private final Map<Hyperparameter<?>, Object> values = new LinkedHashMap<>();

        Builder() {
            for (Hyperparameter<?> p : ALL) {
                values.put(p, p.defaultValue());
            }
        }

        /**
         * @param p a hyper-parameter
         * @param value its value (checked by {@link #build()})
         * @param <T> its type
         * @return this builder
         */
        public <T> Builder set(Hyperparameter<T> p, T value) {
            values.put(p, Objects.requireNonNull(value, p.key()));
            return this;
        }

        /**
         * @param key a key such as {@code optimisation.learning_rate}
         * @param text its value as text ({@code 0.005}, {@code cosine})
         * @return this builder
         * @throws IllegalArgumentException for an unknown key or text that does not parse
         */
        public Builder set(String key, String text) {
            Hyperparameter<?> p = byKey(key);
            values.put(p, p.parse(text));
            return this;
        }

        private void setFromJson(Hyperparameter<?> p, Object plain) {
            values.put(p, p.fromJson(plain));
        }

        /** @param p a hyper-parameter @param <T> its type @return its value in this builder */
        public <T> T get(Hyperparameter<T> p) {
            return p.type().cast(values.get(p));
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the first out-of-range value, e.g.
         *     {@code learning rate must be positive, got -1.0}
         */
        public TrainingConfig build() {
            for (Hyperparameter<?> p : ALL) {
                check(p, values.get(p)); // before assembling: the shape's own checks would not name the option
            }
            return assemble(this); // whose constructor checks it all again: cheap, and the same rules
        }
    }
}
