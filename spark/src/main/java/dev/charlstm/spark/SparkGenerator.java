package dev.charlstm.spark;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationRequest;
import dev.charlstm.runtime.GenerationResult;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates a continuation for every row of a {@code Dataset<Row>} on Spark.
 *
 * <p>Input: an {@code id} column (any type; identifies the row and seeds it) and a {@code prompt} string column;
 * optional per-row columns override the defaults: {@code seed} (integer), {@code max_chars} (integer),
 * {@code temperature}, {@code top_p} (numbers), {@code top_k} (integer), {@code stop} (a string or an array of
 * strings). A null in an optional column means the default; other columns are ignored; names are
 * case-sensitive. A column of the wrong type (seed as text) fails the job at once, naming it. Output: {@code id},
 * {@code prompt}, {@code text}, {@code finish_reason} ({@code length} or {@code stop_sequence}), {@code characters}
 * (code points in {@code text}), {@code error} (null unless that row failed: an unknown character, an empty prompt,
 * an invalid option value, a malformed input record; the job goes on).
 *
 * <p>Each row's text depends only on the row and the model: its seed is its own {@code seed} or, when absent,
 * {@link #seedOf(Object) derived from its id}, and the engine's batching never changes a row's text (float32 and
 * static-int8 packages batch freely; packages of the earlier dynamic-int8 scheme are generated a row per call, see
 * {@link ExecutorModels}). So the output is
 * the same for any number of partitions, executors or task retries, and equals
 * {@code CharLstmModel.generate(prompt, options with that seed)} in one JVM.
 *
 * <p>Inside: {@code mapPartitions}; one model per executor JVM, shared by its tasks, loaded on first use from a
 * {@link ModelSource}; a partition's rows go through {@code generateBatch} in chunks. A broken model fails the job
 * at once: {@link #generate} loads it on the driver first.
 *
 * <p>Immutable, serializable and thread-safe; build with {@link #builder(ModelSource)}.
 */
public final class SparkGenerator implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The most characters a row may ask for unless {@link Builder#maxCharactersLimit} says otherwise. */
    public static final int DEFAULT_MAX_CHARACTERS_LIMIT = 100_000;

    /** Rows per {@code generateBatch} call unless {@link Builder#rowsPerCall} says otherwise. */
    public static final int DEFAULT_ROWS_PER_CALL = 64;

    /** The output columns after {@code id}. */
    public static final List<String> OUTPUT_COLUMNS = List.of("prompt", "text", "finish_reason", "characters", "error");

    private static final Logger LOG = LoggerFactory.getLogger(SparkGenerator.class);

    /** The rows' options unless {@link Builder#options} says otherwise: the SDK's defaults, 300 characters. */
    public static final GenerationOptions DEFAULT_OPTIONS =
            GenerationOptions.builder().maxCharacters(300).build();

    private final ModelSource source;
    private final GenerationOptions defaults;
    private final int rowsPerCall;
    private final boolean progress;
    private final int maxCharactersLimit;

    private SparkGenerator(Builder b) {
        this.source = b.source;
        this.defaults = b.options;
        this.rowsPerCall = b.rowsPerCall;
        this.progress = b.progress;
        this.maxCharactersLimit = b.maxCharactersLimit;
        if (defaults.maxCharacters() > maxCharactersLimit) {
            throw new IllegalArgumentException(
                    "max characters " + defaults.maxCharacters() + " is above the limit" + " of " + maxCharactersLimit);
        }
    }

    /**
     * @param source where executors read the model
     * @return a builder with {@link #DEFAULT_OPTIONS}
     */
    public static Builder builder(ModelSource source) {
        return new Builder(source);
    }

    /**
     * The seed of a row without a {@code seed} column: a 64-bit FNV-1a hash of its id's text in UTF-8, mixed by
     * SplitMix64's finaliser. Stable across JVMs, runs and Spark versions.
     *
     * @param id the row's id (its {@code toString()} is hashed)
     * @return the seed
     */
    public static long seedOf(Object id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : String.valueOf(id).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /**
     * @param input the input's schema
     * @return the output's schema: the input's {@code id} field, then {@link #OUTPUT_COLUMNS}
     * @throws IllegalArgumentException if {@code id} or a string {@code prompt} is missing, or an optional column
     *     has the wrong type
     */
    public static StructType outputSchema(StructType input) {
        Columns.of(input);
        return new StructType(new StructField[] {
            input.apply("id"),
            DataTypes.createStructField("prompt", DataTypes.StringType, true),
            DataTypes.createStructField("text", DataTypes.StringType, true),
            DataTypes.createStructField("finish_reason", DataTypes.StringType, true),
            DataTypes.createStructField("characters", DataTypes.IntegerType, true),
            DataTypes.createStructField("error", DataTypes.StringType, true)
        });
    }

    /**
     * @param input rows with {@code id} and {@code prompt} (and optional option columns)
     * @return one output row per input row, in the same partitions and order
     * @throws IllegalArgumentException if the input's columns are wrong
     * @throws dev.charlstm.runtime.pack.PackageException if the model cannot be loaded (checked on the driver)
     */
    public Dataset<Row> generate(Dataset<Row> input) {
        StructType out = outputSchema(input.schema());
        Columns columns = Columns.of(input.schema());
        ExecutorModels.get(source); // fail now, on the driver, with the package's message
        MapPartitionsFunction<Row, Row> f = rows -> new Partition(columns, rows);
        return input.mapPartitions(f, Encoders.row(out));
    }

    /** The indices of the input's columns. Immutable and serializable. */
    private record Columns(
            int id, int prompt, int seed, int maxChars, int temperature, int topP, int topK, int stop, int corrupt)
            implements Serializable {

        static Columns of(StructType s) {
            List<String> names = Arrays.asList(s.fieldNames());
            int id = names.indexOf("id");
            int prompt = names.indexOf("prompt");
            if (id < 0 || prompt < 0) {
                throw new IllegalArgumentException("the input needs columns id and prompt; it has " + names);
            }
            expect(s, prompt, "a string", t -> t.equals(DataTypes.StringType));
            int seed = optional(s, names, "seed", "an integer", Columns::integral);
            int maxChars = optional(s, names, "max_chars", "an integer", Columns::integral);
            int temperature = optional(s, names, "temperature", "a number", t -> t instanceof NumericType);
            int topP = optional(s, names, "top_p", "a number", t -> t instanceof NumericType);
            int topK = optional(s, names, "top_k", "an integer", Columns::integral);
            int stop = optional(
                    s,
                    names,
                    "stop",
                    "a string or an array of strings",
                    t -> t.equals(DataTypes.StringType)
                            || t instanceof ArrayType a && a.elementType().equals(DataTypes.StringType));
            // Spark's JSON reader puts a line it cannot parse here (its other columns are null)
            int corrupt = optional(s, names, "_corrupt_record", "a string", t -> t.equals(DataTypes.StringType));
            return new Columns(id, prompt, seed, maxChars, temperature, topP, topK, stop, corrupt);
        }

        private static boolean integral(DataType t) {
            return t.equals(DataTypes.LongType)
                    || t.equals(DataTypes.IntegerType)
                    || t.equals(DataTypes.ShortType)
                    || t.equals(DataTypes.ByteType);
        }

        private static int optional(
                StructType s, List<String> names, String name, String what, Predicate<DataType> ok) {
            int i = names.indexOf(name);
            if (i >= 0) {
                expect(s, i, what, ok);
            }
            return i;
        }

        private static void expect(StructType s, int i, String what, Predicate<DataType> ok) {
            StructField f = s.fields()[i];
            if (!ok.test(f.dataType())) {
                throw new IllegalArgumentException("column " + f.name() + " must be " + what + ", but it is "
                        + f.dataType().simpleString());
            }
        }
    }

    /** One partition's rows, generated a chunk at a time as they are consumed. Not thread-safe. */
    private final class Partition implements Iterator<Row> {
        private final Columns columns;
        private final Iterator<Row> input;
        private final CharLstmModel model;
        private final int chunk;
        private final long start = System.nanoTime();
        private Row[] ready = new Row[0];
        private int next;
        private long rows;
        private long errors;
        private long characters;
        private boolean reported;

        Partition(Columns columns, Iterator<Row> input) {
            this.columns = columns;
            this.input = input;
            this.model = ExecutorModels.get(source);
            this.chunk = ExecutorModels.rowsPerCall(model, rowsPerCall);
        }

        @Override
        public boolean hasNext() {
            if (next < ready.length) {
                return true;
            }
            if (input.hasNext()) {
                generateChunk();
                return true;
            }
            report();
            return false;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready[next++];
        }

        private void generateChunk() {
            List<Row> in = new ArrayList<>(chunk);
            while (in.size() < chunk && input.hasNext()) {
                in.add(input.next());
            }
            Row[] out = new Row[in.size()];
            List<GenerationRequest> requests = new ArrayList<>(in.size());
            int[] requestRow = new int[in.size()];
            for (int i = 0; i < in.size(); i++) {
                Row r = in.get(i);
                String prompt = r.isNullAt(columns.prompt()) ? null : r.getString(columns.prompt());
                try {
                    if (present(r, columns.corrupt())) {
                        String raw = r.getString(columns.corrupt());
                        throw new IllegalArgumentException("a malformed input record: "
                                + (raw.length() > 200 ? raw.substring(0, 200) + "..." : raw));
                    }
                    if (r.isNullAt(columns.id())) {
                        // a null id would be hashed as the text "null": another row's seed, silently
                        throw new IllegalArgumentException(
                                "the id is null: every row needs an id (it names the row" + " and seeds it)");
                    }
                    if (prompt == null) {
                        throw new IllegalArgumentException("the prompt is null");
                    }
                    GenerationOptions options = options(r);
                    model.checkPrompt(prompt, options);
                    requestRow[requests.size()] = i;
                    requests.add(GenerationRequest.of(prompt, options));
                } catch (IllegalArgumentException e) {
                    out[i] = RowFactory.create(r.get(columns.id()), prompt, null, null, null, e.getMessage());
                    errors++;
                }
            }
            List<GenerationResult> results = requests.isEmpty() ? List.of() : model.generateBatch(requests);
            for (int k = 0; k < results.size(); k++) {
                GenerationResult g = results.get(k);
                Row r = in.get(requestRow[k]);
                int length = g.text().codePointCount(0, g.text().length());
                out[requestRow[k]] = RowFactory.create(
                        r.get(columns.id()),
                        requests.get(k).prompt(),
                        g.text(),
                        g.finishReason().name().toLowerCase(Locale.ROOT),
                        length,
                        null);
                characters += length;
            }
            rows += in.size();
            ready = out;
            next = 0;
        }

        /** The row's options: its own columns over the defaults; its seed, or one derived from its id. */
        private GenerationOptions options(Row r) {
            GenerationOptions.Builder b = defaults.toBuilder();
            b.seed(
                    present(r, columns.seed())
                            ? r.<Number>getAs(columns.seed()).longValue()
                            : seedOf(r.get(columns.id())));
            if (present(r, columns.maxChars())) {
                long n = r.<Number>getAs(columns.maxChars()).longValue();
                if (n < 0 || n > maxCharactersLimit) {
                    throw new IllegalArgumentException(
                            "max_chars must be in [0, " + maxCharactersLimit + "] (the" + " job's limit), got " + n);
                }
                b.maxCharacters((int) n);
            }
            if (present(r, columns.temperature())) {
                b.temperature(r.<Number>getAs(columns.temperature()).floatValue());
            }
            if (present(r, columns.topP())) {
                b.topP(r.<Number>getAs(columns.topP()).floatValue());
            }
            if (present(r, columns.topK())) {
                long k = r.<Number>getAs(columns.topK()).longValue();
                b.topK((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, k)));
            }
            if (present(r, columns.stop())) {
                Object v = r.get(columns.stop());
                b.stopSequences(v instanceof String s ? List.of(s) : r.getList(columns.stop()));
            }
            return b.build(); // IllegalArgumentException naming the bad value: this row's error
        }

        private static boolean present(Row r, int column) {
            return column >= 0 && !r.isNullAt(column);
        }

        private void report() {
            if (reported || !progress) {
                return;
            }
            reported = true;
            double seconds = (System.nanoTime() - start) / 1e9;
            TaskContext task = TaskContext.get();
            LOG.info(String.format(
                    Locale.ROOT,
                    "partition %s: %d rows (%d with errors), %d characters in %.1f s" + " (%.0f chars/s)",
                    task == null ? "?" : Integer.toString(task.partitionId()),
                    rows,
                    errors,
                    characters,
                    seconds,
                    characters / Math.max(seconds, 1e-9)));
        }
    }

    /** Builds {@link SparkGenerator}. Not thread-safe. */
    public static final class Builder {
        private final ModelSource source;
        private GenerationOptions options = DEFAULT_OPTIONS;
        private int rowsPerCall = DEFAULT_ROWS_PER_CALL;
        private boolean progress = true;
        private int maxCharactersLimit = DEFAULT_MAX_CHARACTERS_LIMIT;

        private Builder(ModelSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        /**
         * The rows' options: what a row's own columns ({@code max_chars}, {@code temperature}, {@code top_p},
         * {@code top_k}, {@code stop}) do not override. The seed is always the row's own (its {@code seed} column or
         * {@link #seedOf(Object) one derived from its id}), so the options' seed is not used.
         *
         * @param defaults the options, e.g. {@code GenerationOptions.builder().maxCharacters(300).temperature(0.8)
         *     .build()} (default {@link #DEFAULT_OPTIONS})
         * @return this builder
         */
        public Builder options(GenerationOptions defaults) {
            options = Objects.requireNonNull(defaults, "defaults");
            return this;
        }

        /**
         * @param n rows per {@code generateBatch} call (the engine then batches them per character); at least 1
         * @return this builder
         */
        public Builder rowsPerCall(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("rows per call must be at least 1, got " + n);
            }
            rowsPerCall = n;
            return this;
        }

        /**
         * @param n the most characters a row may ask for in its {@code max_chars} (a larger one is that row's error)
         * @return this builder
         */
        public Builder maxCharactersLimit(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("the max characters limit must be >= 0, got " + n);
            }
            maxCharactersLimit = n;
            return this;
        }

        /**
         * @param on whether each partition logs a line when done (rows, errors, characters, speed; SLF4J, INFO, logger
         *     {@code dev.charlstm.spark.SparkGenerator})
         * @return this builder
         */
        public Builder progress(boolean on) {
            progress = on;
            return this;
        }

        /**
         * @return the generator
         * @throws IllegalArgumentException naming the first invalid default
         */
        public SparkGenerator build() {
            return new SparkGenerator(this);
        }
    }
}
