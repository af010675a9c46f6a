package dev.charlstm.spark;

import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.UnknownCharacterPolicy;
import dev.charlstm.runtime.Version;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class dev.charlstm.spark.GenerateJob}: prompts in (JSONL or Parquet, columns {@code id},
 * {@code prompt} and optional per-row options), generated text out (Parquet or JSONL). See the README's "Spark".
 */
@Command(
        name = "charlstm-spark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        versionProvider = GenerateJob.VersionProvider.class,
        description = {
            "Generate a continuation for every prompt of a JSONL or Parquet file with Spark.",
            "Input columns: id, prompt; optional per row: seed, max_chars, temperature, top_p, top_k, stop.",
            "Output columns: id, prompt, text, finish_reason, characters, error.",
            "A row's seed is its own, or derived from its id: the output does not depend on partitions, executors or"
                    + " retries.",
            "Outside spark-submit, give --master (e.g. local[2])."
        })
public final class GenerateJob implements Callable<Integer> {

    /** {@code --version}: the build's one version. */
    static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"charlstm-spark " + Version.CURRENT};
        }
    }

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "The model package folder, read on the driver; see --ship.")
    Path model;

    @Option(
            names = "--ship",
            paramLabel = "broadcast|path",
            defaultValue = "broadcast",
            description = "broadcast: the driver sends the package's bytes to the executors (default; nothing to"
                    + " copy); path: every executor reads --model at the same path (a shared file system).")
    String ship;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Prompts: JSONL or Parquet.")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "PATH",
            description = "Where to write the results (a folder of part files); must not exist.")
    String output;

    @Option(
            names = "--input-format",
            paramLabel = "jsonl|parquet",
            description = "Default: from --input's extension (.parquet, else JSONL).")
    String inputFormat;

    @Option(
            names = "--output-format",
            paramLabel = "parquet|jsonl",
            description = "Default: from --output's extension (.jsonl or .json, else Parquet).")
    String outputFormat;

    @Option(names = "--max-chars", paramLabel = "N", defaultValue = "300", description = "Default characters per row.")
    int maxChars;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "Default temperature.")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Default top-p (1 = off).")
    double topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Default top-k (0 = off).")
    int topK;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Default stop sequences.")
    List<String> stop = List.of();

    @Option(
            names = "--unknown",
            paramLabel = "error|skip|replace",
            defaultValue = "error",
            description = "A prompt's characters outside the model's vocabulary: the row's error, or skipped, or"
                    + " replaced by a space.")
    UnknownCharacterPolicy unknown;

    @Option(
            names = "--max-chars-limit",
            paramLabel = "N",
            defaultValue = "100000",
            description = "The most characters a row's max_chars may ask for (more is that row's error).")
    int maxCharsLimit;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "0",
            description = "Repartition the prompts into N partitions first (0: the input's, but at least Spark's"
                    + " default parallelism, e.g. 2 on local[2], so every core works).")
    int partitions;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master when not set by spark-submit, e.g. local[2].")
    String master;

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        localLogging();
        System.exit(run(args));
    }

    /**
     * Outside spark-submit, before anything logs: Spark's and Hadoop's warnings to standard error at WARN (the
     * resource {@code charlstm-spark-local-log4j2.properties}), so standard output holds only the result line. A
     * configuration given with {@code -Dlog4j2.configurationFile}, or spark-submit's, is left alone.
     */
    static void localLogging() {
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("spark.master") == null) {
            System.setProperty("log4j2.configurationFile", "charlstm-spark-local-log4j2.properties");
        }
    }

    /** Runs the job without exiting: 0 done, 1 failed (one line), 2 usage error. */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new GenerateJob());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("charlstm-spark: error: " + e.getMessage() + " (see --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, r) -> {
            Throwable t = e;
            while (t.getCause() != null
                    && !(t instanceof PackageException)
                    && !(t instanceof IllegalArgumentException)) {
                t = t.getCause(); // Spark wraps a task's failure: report what failed, not the wrapping
            }
            c.getErr().println("charlstm-spark: error: " + (t.getMessage() != null ? t.getMessage() : t.toString()));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        CommandLine self = new CommandLine(this);
        if (!ship.equals("broadcast") && !ship.equals("path")) {
            throw new CommandLine.ParameterException(self, "--ship must be broadcast or path, got " + ship);
        }
        if (partitions < 0) {
            throw new CommandLine.ParameterException(
                    self, "--partitions must be >= 0 (0: the input's), got " + partitions);
        }
        String in = format(inputFormat, input, "--input-format", self);
        String out = format(outputFormat, output, "--output-format", self);
        if (master == null && System.getProperty("spark.master") == null) {
            throw new CommandLine.ParameterException(
                    self, "no Spark master: outside spark-submit, give --master" + " (e.g. --master 'local[2]')");
        }
        try {
            configured(ModelSource.path(model.toString())).build(); // the defaults, checked before Spark starts
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    self,
                    "a default option (--max-chars, --temperature, --top-p, --top-k, --stop, --unknown,"
                            + " --max-chars-limit) is invalid: " + e.getMessage());
        }
        ModelPackage pkg = ModelPackage.read(model); // fails here, on the driver, with the package's message
        SparkSession.Builder b = SparkSession.builder().appName("charlstm-spark");
        if (master != null) {
            b.master(master);
        }
        boolean ours = SparkSession.getDefaultSession().isEmpty(); // stop only a session this job started
        SparkSession spark = b.getOrCreate();
        try {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(input);
            if (!source.getFileSystem(hadoop).exists(source)) {
                throw new IllegalArgumentException("--input " + input + ": no such file or folder");
            }
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(output);
            if (target.getFileSystem(hadoop).exists(target)) {
                throw new IllegalArgumentException("--output " + output + " already exists; remove it or choose"
                        + " another (a job never overwrites results)");
            }
            SparkGenerator generator = configured(
                            ship.equals("path")
                                    ? ModelSource.path(model.toAbsolutePath().toString())
                                    : ModelSource.broadcast(spark, pkg))
                    .build();
            Dataset<Row> prompts = in.equals("parquet")
                    ? spark.read().parquet(input)
                    : spark.read().json(input);
            if (Arrays.equals(prompts.schema().fieldNames(), new String[] {"_corrupt_record"})) {
                throw new IllegalArgumentException("--input " + input + ": no record could be read as JSON lines; if"
                        + " it is Parquet, say --input-format parquet");
            }
            int wanted = partitions > 0
                    ? partitions
                    : Math.max(
                            prompts.rdd().getNumPartitions(),
                            spark.sparkContext().defaultParallelism());
            if (wanted != prompts.rdd().getNumPartitions()) {
                prompts = prompts.repartition(wanted); // a row's text does not depend on its partition
            }
            long t0 = System.nanoTime();
            Dataset<Row> results = generator.generate(prompts).cache();
            // Written beside --output under a hidden name and renamed when complete: a failed or interrupted job
            // (Ctrl-C) leaves no --output, so the same command runs again
            FileSystem fs = target.getFileSystem(hadoop);
            org.apache.hadoop.fs.Path qualified = fs.makeQualified(target);
            org.apache.hadoop.fs.Path partial = new org.apache.hadoop.fs.Path(
                    qualified.getParent(), "." + qualified.getName() + ".incomplete-" + UUID.randomUUID());
            Thread cleanup = new Thread(() -> deleteQuietly(fs, partial), "charlstm-spark-partial-output");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                if (out.equals("parquet")) {
                    results.write().parquet(partial.toString());
                } else {
                    // every row has every column, null or not: readers of JSON lines should not have to guess
                    results.write().option("ignoreNullFields", "false").json(partial.toString());
                }
                if (!fs.rename(partial, qualified)) {
                    throw new IllegalArgumentException("--output " + output + ": the results were written to " + partial
                            + " but could not be renamed (did " + output + " appear meanwhile?)");
                }
            } finally {
                deleteQuietly(fs, partial);
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Row totals = results.selectExpr("count(*)", "count(error)", "coalesce(sum(characters), 0)")
                    .first();
            System.out.printf(
                    "wrote %s (%s): %d rows, %d with errors, %d characters in %.1f s (%.0f chars/s)%n",
                    output,
                    out,
                    totals.getLong(0),
                    totals.getLong(1),
                    totals.getLong(2),
                    seconds,
                    totals.getLong(2) / seconds);
            return 0;
        } finally {
            if (ours) {
                spark.stop();
            }
        }
    }

    private static void deleteQuietly(FileSystem fs, org.apache.hadoop.fs.Path p) {
        try {
            if (fs.exists(p)) {
                fs.delete(p, true);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: a hidden folder beside --output never blocks a rerun
        }
    }

    /** The SparkGenerator of this command line's defaults. */
    private SparkGenerator.Builder configured(ModelSource source) {
        GenerationOptions.Builder options = GenerationOptions.builder()
                .maxCharacters(maxChars)
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .stopSequences(stop)
                .unknownCharacters(unknown);
        if (unknown == UnknownCharacterPolicy.REPLACE) {
            options.replacement(' '); // as --unknown's help says: replaced by a space
        }
        return SparkGenerator.builder(source).options(options.build()).maxCharactersLimit(maxCharsLimit);
    }

    private static String format(String given, String path, String option, CommandLine self) {
        boolean output = option.startsWith("--output");
        String f = given != null
                ? given.toLowerCase(Locale.ROOT)
                : path.endsWith(".parquet")
                        ? "parquet"
                        : path.endsWith(".jsonl") || path.endsWith(".json") ? "jsonl" : output ? "parquet" : "jsonl";
        f = f.equals("json") ? "jsonl" : f;
        if (!f.equals("parquet") && !f.equals("jsonl")) {
            throw new CommandLine.ParameterException(
                    self, option + " must be jsonl (or json) or parquet, got " + given);
        }
        return f;
    }
}
