package dev.charlstm.trainer.config;

import dev.charlstm.runtime.internal.JsonFields;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One hyper-parameter of a {@link TrainingConfig}, declared once in its table ({@link TrainingConfig#ALL}): its key
 * in the JSON of checkpoints and manifests ({@code optimisation.learning_rate}), its command-line option
 * ({@code --lr}), its help text, type, default value and valid range. The CLI's options, the presets, the JSON
 * form and the validation all come from these declarations.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value's type: {@link Integer}, {@link Long}, {@link Float}, {@link Double}, {@link String} or an
 *     enum
 */
public final class Hyperparameter<T> {

    private final String key;
    private final String option;
    private final String label;
    private final String name;
    private final String description;
    private final Class<T> type;
    private final T defaultValue;
    private final Function<TrainingConfig, T> value;
    private final Predicate<T> valid;
    private final String requirement;
    private final boolean optional;

    private Hyperparameter(Builder<T> b) {
        this.key = b.key;
        this.option = Objects.requireNonNull(b.option, () -> b.key + ": option(...) not given");
        this.label = b.label;
        this.name = Objects.requireNonNull(b.name, () -> b.key + ": named(...) not given");
        this.description = b.description;
        this.type = b.type;
        this.defaultValue = Objects.requireNonNull(b.defaultValue, b.key);
        this.value = b.value;
        this.requirement = Objects.requireNonNull(b.requirement, () -> b.key + ": valid(...) not given");
        this.valid = b.valid;
        this.optional = b.optional;
    }

    /**
     * Starts a declaration: what the value is and where a configuration holds it. The builder then takes its option,
     * its names and its valid range, each by name, so that a table entry reads as what it declares.
     *
     * @param key the key in JSON, {@code section.field}
     * @param type the value's type
     * @param defaultValue the value when nothing else sets it (the tutorial's)
     * @param value where a configuration holds it
     * @param <T> the value's type
     * @return the builder
     */
    static <T> Builder<T> of(String key, Class<T> type, T defaultValue, Function<TrainingConfig, T> value) {
        return new Builder<>(key, type, defaultValue, value);
    }

    /** Declares one hyper-parameter; used only by {@link TrainingConfig}'s table. Not thread-safe. */
    static final class Builder<T> {
        private final String key;
        private final Class<T> type;
        private final T defaultValue;
        private final Function<TrainingConfig, T> value;
        private String option;
        private String label;
        private String name;
        private String description;
        private String requirement;
        private Predicate<T> valid;
        private boolean optional;

        private Builder(String key, Class<T> type, T defaultValue, Function<TrainingConfig, T> value) {
            this.key = key;
            this.type = type;
            this.defaultValue = defaultValue;
            this.value = value;
        }

        /**
         * @param option the command-line option, e.g. {@code --lr}
         * @param label its parameter label in help, e.g. {@code RATE}
         * @return this builder
         */
        Builder<T> option(String option, String label) {
            this.option = option;
            this.label = label;
            return this;
        }

        /**
         * @param name the name in messages, e.g. {@code learning rate}
         * @param description one sentence of help
         * @return this builder
         */
        Builder<T> named(String name, String description) {
            this.name = name;
            this.description = description;
            return this;
        }

        /**
         * @param requirement what a valid value is, for messages, e.g. {@code must be positive}
         * @param valid the test
         * @return this builder
         */
        Builder<T> valid(String requirement, Predicate<T> valid) {
            this.requirement = requirement;
            this.valid = valid;
            return this;
        }

        /**
         * Marks it as added after checkpoint format 2: a recorded configuration without it reads as its default,
         * which must be the behaviour from before it existed. Every other key is required.
         *
         * @return this builder
         */
        Builder<T> addedLater() {
            this.optional = true;
            return this;
        }

        /** @return the declaration */
        Hyperparameter<T> build() {
            return new Hyperparameter<>(this);
        }
    }

    /** @return whether a recorded configuration may lack it (see {@link Builder#addedLater()}) */
    public boolean optional() {
        return optional;
    }

    /** @return the key in JSON, {@code section.field}, e.g. {@code optimisation.learning_rate} */
    public String key() {
        return key;
    }

    /** @return the section of {@link #key()}: model, data, optimisation, schedule or evaluation */
    public String section() {
        return key.substring(0, key.indexOf('.'));
    }

    /** @return the field of {@link #key()} within its section */
    public String field() {
        return key.substring(key.indexOf('.') + 1);
    }

    /** @return the command-line option, e.g. {@code --lr} */
    public String option() {
        return option;
    }

    /** @return the option's parameter label in help, e.g. {@code RATE} */
    public String label() {
        return label;
    }

    /** @return the name in messages, e.g. {@code learning rate} */
    public String name() {
        return name;
    }

    /** @return one sentence of help */
    public String description() {
        return description;
    }

    /** @return the value's type */
    public Class<T> type() {
        return type;
    }

    /** @return the value when nothing else sets it: the tutorial's (the {@code seed} preset) */
    public T defaultValue() {
        return defaultValue;
    }

    /** @param config a configuration @return this hyper-parameter's value in it */
    public T valueIn(TrainingConfig config) {
        return value.apply(config);
    }

    /**
     * @param v a value
     * @return it
     * @throws Invalid if out of range, e.g. {@code learning rate must be positive, got -1.0}
     */
    T check(T v) {
        if (v instanceof Float f && !Float.isFinite(f) || v instanceof Double d && !Double.isFinite(d)) {
            throw new Invalid(this, name + " must be a finite number, got " + v);
        }
        if (v == null || !valid.test(v)) {
            throw new Invalid(this, name + " " + requirement + ", got " + v);
        }
        return v;
    }

    /** A value out of its hyper-parameter's range; the message names the range and the value, not the option. */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final transient Hyperparameter<?> hyperparameter;

        Invalid(Hyperparameter<?> hyperparameter, String message) {
            super(message);
            this.hyperparameter = hyperparameter;
        }

        /** @return the hyper-parameter whose value is out of range */
        public Hyperparameter<?> hyperparameter() {
            return hyperparameter;
        }
    }

    /**
     * @param text a value as a preset or a person writes it ({@code 0.005}, {@code cosine})
     * @return the value
     * @throws IllegalArgumentException if it does not parse
     */
    T parse(String text) {
        String t = text.strip();
        try {
            Object v;
            if (type == Integer.class) {
                v = Integer.valueOf(t);
            } else if (type == Long.class) {
                v = Long.valueOf(t);
            } else if (type == Float.class) {
                v = Float.valueOf(t);
            } else if (type == Double.class) {
                v = Double.valueOf(t);
            } else if (type == String.class) {
                v = text;
            } else {
                v = enumConstant(t);
            }
            return type.cast(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key + ": \"" + text + "\" is not a " + type.getSimpleName().toLowerCase(Locale.ROOT), e);
        }
    }

    private Object enumConstant(String t) {
        for (T c : type.getEnumConstants()) {
            if (((Enum<?>) c).name().equalsIgnoreCase(t)) {
                return c;
            }
        }
        throw new IllegalArgumentException(key + ": unknown value \"" + t + "\"");
    }

    /**
     * @param plain a value as JSON gives it ({@link Long}, {@link Double}, {@link String})
     * @return the typed value
     * @throws IllegalArgumentException naming the key if the type is wrong (a whole number for an integer, any
     *     number for a real, a name for an enum)
     */
    T fromJson(Object plain) {
        Object v = null;
        if (plain instanceof Number n) {
            boolean whole = n instanceof Long
                    || n.doubleValue() == Math.rint(n.doubleValue())
                            && Math.abs(n.doubleValue()) < 0x1p62; // beyond, a double is no exact long
            if (type == Integer.class && whole && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
                v = n.intValue();
            } else if (type == Long.class && whole) {
                v = n.longValue();
            } else if (type == Float.class) {
                v = n.floatValue();
            } else if (type == Double.class) {
                v = n.doubleValue();
            }
        } else if (plain instanceof String s) {
            v = type == String.class ? s : type.isEnum() ? enumConstant(s) : null;
        }
        if (v == null) {
            throw new IllegalArgumentException(key + " must be "
                    + (type.isEnum()
                            ? "a name"
                            : type == String.class
                                    ? "a string"
                                    : type == Integer.class || type == Long.class ? "an integer" : "a number")
                    + ", got " + (plain instanceof String t ? '"' + t + '"' : plain));
        }
        return type.cast(v);
    }

    /** @param v a value @return it as JSON takes it: enums by their lower-case names, numbers and text as they are */
    Object toJson(T v) {
        return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : v;
    }

    /**
     * @param v a value
     * @return it as help and summaries show it, as JSON writes it: {@code 0.005}, {@code 0.0001}, {@code cosine},
     *     {@code "The "} (quotes and line breaks escaped)
     */
    public String format(Object v) {
        return v instanceof Enum<?> e
                ? e.name().toLowerCase(Locale.ROOT)
                : JsonFields.toJson(v).toString();
    }

    @Override
    public String toString() {
        return key;
    }
}
