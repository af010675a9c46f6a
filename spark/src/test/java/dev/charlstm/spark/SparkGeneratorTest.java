package dev.charlstm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.Fixtures;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationResult;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Spark in local mode against the runtime SDK in this JVM, on the runtime's tiny float32 fixture. */
class SparkGeneratorTest {

    /** The runtime's tiny test packages (from its test-jar), as folders: float32 with a sequence graph, and int8. */
    static final Path TINY = Fixtures.folder(Fixtures.TINY_V2);

    static final Path TINY_INT8 = Fixtures.folder(Fixtures.TINY_INT8);
    static final Path TINY_INT8_DYNAMIC = Fixtures.folder(Fixtures.TINY_INT8_DYNAMIC);

    @TempDir
    static Path dir;

    static SparkSession spark;
    static CharLstmModel sdk;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("charlstm-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config(
                        "spark.sql.warehouse.dir",
                        dir.resolve("warehouse").toUri().toString())
                .getOrCreate();
        sdk = CharLstmModel.load(TINY);
    }

    @AfterAll
    static void stop() {
        sdk.close();
        spark.stop();
    }

    static final StructType PROMPTS =
            new StructType().add("id", DataTypes.LongType).add("prompt", DataTypes.StringType);

    /** Prompts in the fixture's vocabulary, some long enough to be primed through the sequence graph. */
    static List<Row> prompts(int n) {
        String[] words = {"the ", "whale ", "swam ", "deep. ", "call ", "me ", "ishmael. ", "sea ", "was ", "calm. "};
        SplittableRandom r = new SplittableRandom(7);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder p = new StringBuilder();
            int len = 1 + r.nextInt(i % 10 == 0 ? 20 : 4);
            for (int k = 0; k < len; k++) {
                p.append(words[r.nextInt(words.length)]);
            }
            rows.add(RowFactory.create((long) i, p.toString()));
        }
        return rows;
    }

    static Map<Object, Row> byId(Dataset<Row> out) {
        Map<Object, Row> m = new HashMap<>();
        for (Row r : out.collectAsList()) {
            m.put(r.get(r.fieldIndex("id")), r);
        }
        return m;
    }

    @Test
    void twoThousandPromptsEqualTheSdkInOneJvmWithOneThreeAndEightPartitions() {
        List<Row> rows = prompts(2000);
        SparkGenerator g = SparkGenerator.builder(ModelSource.broadcast(spark, ModelPackage.read(TINY)))
                .options(GenerationOptions.builder().maxCharacters(40).build())
                .progress(false)
                .build();
        GenerationOptions base = GenerationOptions.builder().maxCharacters(40).build();
        Map<Long, String> expected = new HashMap<>();
        for (Row r : rows) {
            GenerationResult alone = sdk.generate(
                    r.getString(1),
                    base.toBuilder().seed(SparkGenerator.seedOf(r.get(0))).build());
            expected.put(r.getLong(0), alone.text());
        }
        for (int partitions : new int[] {1, 3, 8}) {
            Dataset<Row> in = spark.createDataFrame(rows, PROMPTS).repartition(partitions);
            assertEquals(partitions, in.rdd().getNumPartitions());
            Map<Object, Row> out = byId(g.generate(in));
            assertEquals(rows.size(), out.size());
            for (Row r : rows) {
                Row o = out.get(r.get(0));
                assertNull(o.get(5), "no error for row " + r.get(0));
                assertEquals(r.getString(1), o.getString(1));
                assertEquals(expected.get(r.getLong(0)), o.getString(2), partitions + " partitions, row " + r.get(0));
                assertEquals("length", o.getString(3));
                assertEquals(40, o.getInt(4));
            }
        }
    }

    @Test
    void perRowOptionColumnsOverrideTheDefaults() {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("prompt", DataTypes.StringType)
                .add("seed", DataTypes.LongType)
                .add("max_chars", DataTypes.IntegerType)
                .add("temperature", DataTypes.DoubleType)
                .add("top_p", DataTypes.DoubleType)
                .add("top_k", DataTypes.IntegerType)
                .add("stop", DataTypes.createArrayType(DataTypes.StringType));
        List<Row> rows = List.of(
                RowFactory.create("a", "the whale ", 5L, 25, null, null, null, null),
                RowFactory.create("b", "call me ", null, null, 0.5, 0.9, 3, null),
                RowFactory.create("c", "the sea ", 11L, 200, null, null, null, Arrays.asList(". ")),
                RowFactory.create("d", "the whale ", null, null, null, null, null, null));
        SparkGenerator g = SparkGenerator.builder(ModelSource.path(TINY.toString()))
                .options(GenerationOptions.builder().maxCharacters(60).build())
                .progress(false)
                .build();
        Map<Object, Row> out = byId(g.generate(spark.createDataFrame(rows, schema)));
        GenerationOptions base = GenerationOptions.builder().maxCharacters(60).build();
        assertEquals(
                sdk.generate(
                                "the whale ",
                                base.toBuilder().seed(5).maxCharacters(25).build())
                        .text(),
                out.get("a").getString(2));
        assertEquals(25, out.get("a").getInt(4));
        assertEquals(
                sdk.generate(
                                "call me ",
                                base.toBuilder()
                                        .seed(SparkGenerator.seedOf("b"))
                                        .temperature(0.5f)
                                        .topP(0.9f)
                                        .topK(3)
                                        .build())
                        .text(),
                out.get("b").getString(2));
        GenerationResult c = sdk.generate(
                "the sea ",
                base.toBuilder().seed(11).maxCharacters(200).stopSequences(". ").build());
        assertEquals(c.text(), out.get("c").getString(2));
        assertEquals("stop_sequence", out.get("c").getString(3));
        assertEquals(
                sdk.generate(
                                "the whale ",
                                base.toBuilder()
                                        .seed(SparkGenerator.seedOf("d"))
                                        .build())
                        .text(),
                out.get("d").getString(2));
    }

    @Test
    void badRowsGetTheirErrorAndTheRestIsIntact() {
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("prompt", DataTypes.StringType)
                .add("temperature", DataTypes.DoubleType)
                .add("stop", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(RowFactory.create(i, "the whale ", null, null));
        }
        rows.set(3, RowFactory.create(3, "the Whale ", null, null));
        rows.set(7, RowFactory.create(7, "", null, null));
        rows.set(9, RowFactory.create(9, null, null, null));
        rows.set(12, RowFactory.create(12, "the sea ", -1.0, null));
        rows.set(20, RowFactory.create(20, "the sea ", null, "."));
        SparkGenerator g = SparkGenerator.builder(ModelSource.classpath(Fixtures.resource(Fixtures.TINY_V2)))
                .options(GenerationOptions.builder().maxCharacters(30).build())
                .progress(false)
                .build();
        Map<Object, Row> out =
                byId(g.generate(spark.createDataFrame(rows, schema).repartition(3)));
        assertEquals(50, out.size());
        assertTrue(
                out.get(3).getString(5).contains("U+0057 'W' at index 4"),
                out.get(3).getString(5));
        assertTrue(
                out.get(7).getString(5).contains("the prompt is empty"),
                out.get(7).getString(5));
        assertEquals("the prompt is null", out.get(9).getString(5));
        assertTrue(out.get(12).getString(5).contains("temperature"), out.get(12).getString(5));
        for (int i : new int[] {3, 7, 9, 12}) {
            assertNull(out.get(i).get(2), "no text for a failed row");
        }
        assertEquals(
                sdk.generate(
                                "the sea ",
                                GenerationOptions.builder()
                                        .maxCharacters(30)
                                        .stopSequences(".")
                                        .seed(SparkGenerator.seedOf(20))
                                        .build())
                        .text(),
                out.get(20).getString(2));
        for (int i = 0; i < 50; i++) {
            if (!List.of(3, 7, 9, 12, 20).contains(i)) {
                assertNull(out.get(i).get(5));
                assertEquals(
                        sdk.generate(
                                        "the whale ",
                                        GenerationOptions.builder()
                                                .maxCharacters(30)
                                                .seed(SparkGenerator.seedOf(i))
                                                .build())
                                .text(),
                        out.get(i).getString(2));
            }
        }
    }

    @Test
    void aBrokenModelFailsTheJobAtOnceWithThePackagesMessage() throws IOException {
        Path broken = dir.resolve("broken");
        ModelPackage.read(TINY).write(broken);
        Files.write(broken.resolve("model.onnx"), new byte[] {1, 2, 3});
        PackageException e = assertThrows(
                PackageException.class,
                () -> SparkGenerator.builder(ModelSource.path(broken.toString()))
                        .build()
                        .generate(spark.createDataFrame(prompts(3), PROMPTS)));
        assertTrue(e.getMessage().contains("model.onnx: SHA-256"), e.getMessage());
        IllegalArgumentException columns = assertThrows(
                IllegalArgumentException.class,
                () -> SparkGenerator.builder(ModelSource.path(TINY.toString()))
                        .build()
                        .generate(spark.createDataFrame(prompts(3), PROMPTS).withColumnRenamed("prompt", "text")));
        assertTrue(columns.getMessage().startsWith("the input needs columns id and prompt"), columns.getMessage());
    }

    /**
     * static-int8 rows are batched like float32 ones (64 per call, with continuous batching) and every row still
     * equals the SDK generating it alone; the earlier dynamic-int8 packages are still read, one row per call.
     */
    @Test
    void int8RowsAreBatchedAndEqualTheSdkAlone() {
        List<Row> rows = prompts(60);
        for (Path pkg : List.of(TINY_INT8, TINY_INT8_DYNAMIC)) {
            SparkGenerator g = SparkGenerator.builder(ModelSource.path(pkg.toString()))
                    .options(GenerationOptions.builder().maxCharacters(40).build())
                    .progress(false)
                    .build();
            Map<Object, Row> one =
                    byId(g.generate(spark.createDataFrame(rows, PROMPTS).repartition(1)));
            Map<Object, Row> five =
                    byId(g.generate(spark.createDataFrame(rows, PROMPTS).repartition(5)));
            try (CharLstmModel int8 = CharLstmModel.load(
                    pkg, RuntimeOptions.builder().continuousBatching(false).build())) {
                assertEquals(pkg == TINY_INT8 ? 64 : 1, ExecutorModels.rowsPerCall(int8, 64), pkg.toString());
                for (Row r : rows) {
                    String alone = int8.generate(
                                    r.getString(1),
                                    GenerationOptions.builder()
                                            .maxCharacters(40)
                                            .seed(SparkGenerator.seedOf(r.get(0)))
                                            .build())
                            .text();
                    assertEquals(alone, one.get(r.get(0)).getString(2));
                    assertEquals(alone, five.get(r.get(0)).getString(2));
                }
            }
        }
    }

    @Test
    void theJobReadsAndWritesJsonlAndParquet() throws IOException {
        Path jsonl = dir.resolve("prompts.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            sb.append(String.format(
                    Locale.ROOT,
                    "{\"id\": %d, \"prompt\": \"the whale %s\"%s}%n",
                    i,
                    i % 2 == 0 ? "swam " : "",
                    i == 5 ? ", \"max_chars\": 7" : i == 8 ? ", \"prompt2\": 1" : ""));
        }
        sb.append("{\"id\": 120, \"prompt\": \"Quick\"}\n");
        sb.append("not json at all\n");
        Files.writeString(jsonl, sb.toString());
        Path parquet = dir.resolve("out.parquet");
        assertEquals(
                0,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        parquet.toString(),
                        "--max-chars",
                        "20",
                        "--partitions",
                        "3"));
        Dataset<Row> written = spark.read().parquet(parquet.toString());
        assertEquals(
                List.of("id", "prompt", "text", "finish_reason", "characters", "error"),
                Arrays.asList(written.schema().fieldNames()));
        Map<Object, Row> out = byId(written);
        assertEquals(122, out.size());
        assertEquals("a malformed input record: not json at all", out.get(null).getString(5));
        assertEquals(7, out.get(5L).getInt(4));
        assertEquals(20, out.get(6L).getInt(4));
        assertTrue(
                out.get(120L).getString(5).contains("U+0051 'Q'"), out.get(120L).getString(5));
        assertEquals(
                sdk.generate(
                                "the whale swam ",
                                GenerationOptions.builder()
                                        .maxCharacters(20)
                                        .seed(SparkGenerator.seedOf(10L))
                                        .build())
                        .text(),
                out.get(10L).getString(2));

        // and back: Parquet in, JSONL out, with the package's path shipped instead of broadcast
        Path back = dir.resolve("again.jsonl");
        assertEquals(
                0,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--ship",
                        "path",
                        "--input",
                        parquet.toString(),
                        "--output",
                        back.toString(),
                        "--max-chars",
                        "20"));
        Map<Object, Row> again = byId(spark.read().json(back.toString()));
        assertEquals(122, again.size());
        assertEquals(
                sdk.generate(
                                out.get(10L).getString(1),
                                GenerationOptions.builder()
                                        .maxCharacters(20)
                                        .seed(SparkGenerator.seedOf(10L))
                                        .build())
                        .text(),
                again.get(10L).getAs("text"));

        assertEquals(
                2,
                GenerateJob.run(
                        "--model", TINY.toString(), "--input", jsonl.toString(), "--output", parquet.toString()),
                "no master outside spark-submit");
        assertEquals(
                1,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        parquet.toString()),
                "an existing output is never overwritten");
        assertEquals(122, spark.read().parquet(parquet.toString()).count());

        // JSON lines out when no row fails: every row still has every column; unknown characters skipped on request
        Path clean = dir.resolve("clean.jsonl");
        Files.writeString(
                clean,
                "{\"id\": 1, \"prompt\": \"the Whale \"}\n{\"id\": 2, \"prompt\": \"call me \","
                        + " \"max_chars\": 500}\n");
        Path cleanOut = dir.resolve("clean-out.json");
        assertEquals(
                0,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        clean.toString(),
                        "--output",
                        cleanOut.toString(),
                        "--unknown",
                        "skip",
                        "--max-chars-limit",
                        "100",
                        "--max-chars",
                        "20"));
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(cleanOut)) {
            for (Path part : files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .toList()) {
                lines.addAll(Files.readAllLines(part));
            }
        }
        assertEquals(2, lines.size());
        for (String line : lines) {
            assertTrue(line.contains("\"error\":"), line);
        }
        Map<Object, Row> cleaned = byId(spark.read().json(cleanOut.toString()));
        assertEquals(
                sdk.generate(
                                "the hale ",
                                GenerationOptions.builder()
                                        .maxCharacters(20)
                                        .seed(SparkGenerator.seedOf(1L))
                                        .build())
                        .text(),
                cleaned.get(1L).getAs("text"));
        assertTrue(
                cleaned.get(2L).<String>getAs("error").startsWith("max_chars must be in [0, 100]"),
                cleaned.get(2L).<String>getAs("error"));
        // --unknown replace feeds a space, as its help says (it once failed every run for want of a replacement)
        Path replacedOut = dir.resolve("replaced-out.json");
        assertEquals(
                0,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        clean.toString(),
                        "--output",
                        replacedOut.toString(),
                        "--unknown",
                        "replace",
                        "--max-chars",
                        "20"));
        assertEquals(
                sdk.generate(
                                "the Whale ",
                                GenerationOptions.builder()
                                        .maxCharacters(20)
                                        .replacement(' ')
                                        .seed(SparkGenerator.seedOf(1L))
                                        .build())
                        .text(),
                byId(spark.read().json(replacedOut.toString())).get(1L).getAs("text"));
        assertEquals(
                1,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        dir.resolve("none").toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        dir.resolve("x").toString()));
        assertEquals(
                2,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        dir.resolve("y").toString(),
                        "--max-chars",
                        "many"));
        assertEquals(
                2,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        dir.resolve("y").toString(),
                        "--max-chars",
                        "-1"));
        assertEquals(
                2,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        dir.resolve("y").toString(),
                        "--output-format",
                        "csv"));
        assertEquals(
                1,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        dir.resolve("missing.jsonl").toString(),
                        "--output",
                        dir.resolve("y").toString()));
    }

    /**
     * Rows that are wrong in ways a type check cannot see get their own error and the job goes on: an id that is null
     * or missing (never hashed as the text "null"), a stop list holding null; --partitions -1 is a usage error.
     */
    @Test
    void nullIdsAndNullStopSequencesAreThatRowsErrorNotTheJobs() throws IOException {
        Path jsonl = dir.resolve("odd.jsonl");
        Files.writeString(
                jsonl,
                String.join(
                                "\n",
                                "{\"id\": 1, \"prompt\": \"the whale \", \"stop\": [\"the\", null]}",
                                "{\"id\": null, \"prompt\": \"the sea \"}",
                                "{\"prompt\": \"a ship \"}",
                                "{\"id\": \"null\", \"prompt\": \"the sea \"}",
                                "{\"id\": 4, \"prompt\": \"the sea \", \"stop\": [\"sea\"]}")
                        + "\n");
        Path out = dir.resolve("odd-out.jsonl");
        assertEquals(
                0,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        out.toString(),
                        "--max-chars",
                        "30"));
        List<Row> rows = spark.read().json(out.toString()).collectAsList();
        assertEquals(5, rows.size());
        Map<String, Row> byPrompt = new HashMap<>();
        List<String> nullIdErrors = new ArrayList<>();
        for (Row r : rows) {
            Object id = r.getAs("id");
            if (id == null) {
                nullIdErrors.add(r.getAs("error"));
            } else {
                byPrompt.put(id.toString(), r);
            }
        }
        assertEquals(
                List.of(
                        "the id is null: every row needs an id (it names the row and seeds it)",
                        "the id is null: every row needs an id (it names the row and seeds it)"),
                nullIdErrors);
        assertEquals("stop sequence 1 (0-based) is null", byPrompt.get("1").getAs("error"));
        assertNull(byPrompt.get("null").getAs("error"), "the text \"null\" is an id like any other");
        assertNull(byPrompt.get("4").getAs("error"));
        assertEquals(
                2,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        dir.resolve("never").toString(),
                        "--partitions",
                        "-1"));
        assertTrue(!Files.exists(dir.resolve("never")));
    }

    /**
     * A job interrupted while it writes (SIGTERM, as Ctrl-C's SIGINT, to a job in its own JVM) leaves no --output,
     * so the same command runs again; nothing is left beside it but, at most, a hidden partial folder.
     */
    @Test
    void anInterruptedJobLeavesNoOutputAndTheRerunWorks() throws Exception {
        Path jsonl = dir.resolve("many.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            sb.append(String.format(Locale.ROOT, "{\"id\": %d, \"prompt\": \"the whale \"}%n", i));
        }
        Files.writeString(jsonl, sb.toString());
        Path out = dir.resolve("interrupted.parquet");
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(
                Files.readString(Path.of("target/jvm-options")).trim().split("\\s+")));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                GenerateJob.class.getName(),
                "--master",
                "local[2]",
                "--model",
                TINY.toString(),
                "--input",
                jsonl.toString(),
                "--output",
                out.toString(),
                "--max-chars",
                "3000"));
        Process job = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("job.log").toFile())
                .start();
        try {
            // wait until it generates (its first partition's progress line would come much later)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !hasPartialOutput(out)) {
                Thread.sleep(100);
            }
            assertTrue(hasPartialOutput(out), "the job started writing: " + Files.readString(dir.resolve("job.log")));
            job.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
            assertTrue(job.waitFor(60, TimeUnit.SECONDS));
        } finally {
            job.destroyForcibly();
        }
        assertTrue(!Files.exists(out), "no --output from an interrupted job");
        Files.writeString(jsonl, "{\"id\": 1, \"prompt\": \"the whale \"}\n");
        assertEquals(
                0,
                GenerateJob.run(
                        "--master",
                        "local[2]",
                        "--model",
                        TINY.toString(),
                        "--input",
                        jsonl.toString(),
                        "--output",
                        out.toString(),
                        "--max-chars",
                        "10"));
        assertEquals(1, spark.read().parquet(out.toString()).count());
    }

    private static boolean hasPartialOutput(Path out) throws IOException {
        try (var files = Files.list(out.getParent())) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".incomplete-"));
        }
    }
}
