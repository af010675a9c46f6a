package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.ModelShape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** generate, info and bench, end to end on a package the train command itself produced. */
class GenerateCommandTest {

    @TempDir
    static Path dir;

    private static Path model;

    @BeforeAll
    static void train() {
        model = TinyRun.model();
    }

    @Test
    void generateStreamsTheContinuationAndASeedRepeatsIt() {
        Cli.Result a =
                Cli.run("generate", "The whale", "--model", model.toString(), "--max-chars", "80", "--seed", "4");
        Cli.Result b =
                Cli.run("generate", "The whale", "--model", model.toString(), "--max-chars", "80", "--seed", "4");
        Cli.Result c =
                Cli.run("generate", "The whale", "--model", model.toString(), "--max-chars", "80", "--seed", "5");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith("The whale"), a.out());
        assertEquals(
                "The whale".length() + 80 + System.lineSeparator().length(),
                a.out().length());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertEquals("", a.err(), "no logging noise");
    }

    @Test
    void aStopSequenceThatNeverCompletesChangesNothing() {
        // The shipped model, as a new user runs it. The stop sequence starts with the last characters written before
        // the length limit, so at the limit they are held back as a possible match: they must still be printed.
        Cli.Result plain = Cli.run("generate", "Call me ", "--greedy", "--max-chars", "22");
        assertEquals(0, plain.code(), plain.err());
        String text = plain.out()
                .substring(0, plain.out().length() - System.lineSeparator().length());
        assertEquals("Call me ".length() + 22, text.codePointCount(0, text.length()), text);
        String heldBack = text.substring(text.length() - 6);
        Cli.Result stop = Cli.run("generate", "Call me ", "--greedy", "--max-chars", "22", "--stop", heldBack + "~");
        assertEquals(0, stop.code(), stop.err());
        assertEquals(plain.out(), stop.out());
    }

    @Test
    void samplingOptionsReachTheSdk() {
        Cli.Result greedy = Cli.run("generate", "The ", "--model", model.toString(), "--max-chars", "40", "--greedy");
        Cli.Result topK = Cli.run(
                "generate", "The ", "--model", model.toString(), "--max-chars", "40", "--top-k", "1", "--seed", "9");
        assertEquals(greedy.out(), topK.out());
        Cli.Result stopped = Cli.run(
                "generate", "The ", "--model", model.toString(), "--max-chars", "300", "--greedy", "--stop", "a");
        assertFalse(stopped.out().substring(4).contains("a"), stopped.out());
    }

    @Test
    void withoutASeedARandomOneIsDrawnAndPrintedSoTheTextCanBeWrittenAgain() {
        Cli.Result a = Cli.run("generate", "The whale", "--model", model.toString(), "--max-chars", "80");
        Cli.Result b = Cli.run("generate", "The whale", "--model", model.toString(), "--max-chars", "80");
        assertEquals(0, a.code(), a.err());
        Matcher m = Pattern.compile("charlstm: seed (\\d+) \\(--seed \\1 writes this" + " text again\\)")
                .matcher(a.err());
        assertTrue(m.find(), a.err());
        assertFalse(a.out().equals(b.out()) && a.err().equals(b.err()), "two draws");
        Cli.Result again = Cli.run(
                "generate", "The whale", "--model", model.toString(), "--max-chars", "80", "--seed", m.group(1));
        assertEquals(a.out(), again.out());
        assertEquals("", again.err(), "a given seed is not announced");
    }

    @Test
    void aPromptIsCleanedAsTheTrainingTextWasUnlessRawIsAsked() {
        Cli.Result cleaned =
                Cli.run("generate", "The\nwhale  ", "--model", model.toString(), "--max-chars", "40", "--seed", "3");
        Cli.Result typed =
                Cli.run("generate", "The whale ", "--model", model.toString(), "--max-chars", "40", "--seed", "3");
        assertEquals(0, cleaned.code(), cleaned.err());
        assertEquals(typed.out().substring("The whale ".length()), cleaned.out().substring("The\nwhale  ".length()));
        Cli.Result raw = Cli.run("generate", "The\nwhale", "--model", model.toString(), "--raw-prompt");
        assertEquals(Main.EXIT_FAILURE, raw.code());
        assertTrue(raw.err().contains("U+000A"), raw.err());
    }

    @Test
    void unknownCharactersAndUsageErrorsExitClearly() {
        Cli.Result unknown = Cli.run("generate", "Zzz", "--model", model.toString());
        assertEquals(Main.EXIT_FAILURE, unknown.code());
        assertTrue(unknown.err().contains("U+005A 'Z' at index 0 (0-based, in characters)"), unknown.err());
        Cli.Result skipped =
                Cli.run("generate", "Zzz The", "--model", model.toString(), "--unknown", "skip", "--max-chars", "10");
        assertEquals(0, skipped.code(), skipped.err());
        Cli.Result usage = Cli.run("generate", "--max-chars", "lots", "--model", model.toString());
        assertEquals(Main.EXIT_USAGE, usage.code());
        Cli.Result missing = Cli.run("generate", "--model", dir.resolve("nope").toString());
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertTrue(missing.err().contains("nope: no such model package folder"), missing.err());
        assertFalse(missing.err().contains("\tat "));
        Cli.Result verbose = Cli.run("generate", "--model", dir.resolve("nope").toString(), "--verbose");
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace");
    }

    @Test
    void interactiveModeKeepsTheStateBetweenTurns() {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("The sea\nThe whale\n\n".getBytes(StandardCharsets.UTF_8)));
            Cli.Result r =
                    Cli.run("generate", "--interactive", "--model", model.toString(), "--max-chars", "15", "--greedy");
            assertEquals(0, r.code(), r.err());
            String[] turns = r.out().split("> ");
            assertEquals(3, turns.length, r.out()); // the banner, then two answered prompts
            assertEquals(15 + System.lineSeparator().length(), turns[1].length(), turns[1]);
            // Same as one SDK stream answering both prompts in turn: the state carries over.
            try (CharLstmModel m = CharLstmModel.load(model);
                    GenerationStream s = m.newStream()) {
                GenerationOptions o = GenerationOptions.builder()
                        .maxCharacters(15)
                        .greedy(true)
                        .build();
                assertEquals(s.generate("The sea", o, ch -> true).text() + System.lineSeparator(), turns[1]);
                assertEquals(s.generate("The whale", o, ch -> true).text() + System.lineSeparator(), turns[2]);
            }
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void aBadPromptFailsBeforeAnythingIsPrintedAndNamesTheOption() {
        Cli.Result cafe = Cli.run("generate", "The seé", "--model", model.toString());
        assertEquals(1, cafe.code());
        assertEquals("", cafe.out(), "nothing printed before the error");
        assertTrue(cafe.err().contains("U+00E9 'é' at index 6") && cafe.err().contains("--unknown skip"), cafe.err());
        assertFalse(cafe.err().contains("UnknownCharacterPolicy"), cafe.err());

        Cli.Result skipped = Cli.run("generate", "ÉÉ", "--model", model.toString(), "--unknown", "skip");
        assertEquals(Main.EXIT_USAGE, skipped.code());
        assertEquals("", skipped.out());
        assertTrue(
                skipped.err().contains("every character of the prompt \"ÉÉ\"")
                        && skipped.err().contains("skipped"),
                skipped.err());

        Cli.Result empty = Cli.run("generate", "", "--model", model.toString());
        assertEquals(Main.EXIT_USAGE, empty.code());
        assertTrue(empty.err().contains("the prompt is empty: give a PROMPT"), empty.err());
    }

    @Test
    void theDefaultPromptOnAModelThatCannotReadItSaysSo() throws IOException {
        Path data = Files.createDirectories(dir.resolve("dna"));
        Files.writeString(data.resolve("a.txt"), "acgtacggtcatgcatcgatcgatgcta".repeat(200));
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Cli.Result t;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            t = Cli.run(Cli.tinyTraining(
                    data.toString(),
                    dir.resolve("dna-run").toString(),
                    "2",
                    "--eval-interval",
                    "2",
                    "--sample-length",
                    "5",
                    "--prompt",
                    "The "));
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, t.code(), t.err());
        assertTrue(
                log.toString(StandardCharsets.UTF_8)
                        .contains("no character of --prompt \"The \" is in the corpus's vocabulary"),
                log.toString(StandardCharsets.UTF_8));
        Cli.Result r =
                Cli.run("generate", "--model", dir.resolve("dna-run/model").toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("the default prompt \"The \"") && r.err().contains("give a PROMPT"), r.err());
        Cli.Result ok = Cli.run(
                "generate", "gatt", "--model", dir.resolve("dna-run/model").toString(), "--max-chars", "5");
        assertEquals(0, ok.code(), ok.err());
    }

    @Test
    void aBadTurnInInteractiveModeIsReportedAndTheConversationGoesOn() {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("The sea\nThe seé\nThe whale\n\n".getBytes(StandardCharsets.UTF_8)));
            Cli.Result r =
                    Cli.run("generate", "--interactive", "--model", model.toString(), "--max-chars", "15", "--greedy");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("U+00E9"), r.err());
            String[] turns = r.out().split("> ");
            assertEquals(4, turns.length, r.out()); // the banner, then three prompts, one refused
            try (CharLstmModel m = CharLstmModel.load(model);
                    GenerationStream s = m.newStream()) {
                GenerationOptions o = GenerationOptions.builder()
                        .maxCharacters(15)
                        .greedy(true)
                        .build();
                assertEquals(s.generate("The sea", o, ch -> true).text() + System.lineSeparator(), turns[1]);
                assertEquals("", turns[2], "the refused turn printed nothing");
                assertEquals(
                        s.generate("The whale", o, ch -> true).text() + System.lineSeparator(),
                        turns[3],
                        "the state is as if the bad turn never happened");
            }
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void generationStopsWhenStandardOutputIsClosed() {
        // Like `generate ... | head -c 50`: the pipe closes after 50 bytes and every later write fails.
        int[] attempts = {0};
        OutputStream pipe = new OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                attempts[0]++;
                if (++written > 50) {
                    throw new IOException("Broken pipe");
                }
            }
        };
        StringWriter err = new StringWriter();
        int code = Main.run(
                new String[] {"generate", "The sea", "--model", model.toString(), "--max-chars", "200000"},
                new PrintWriter(new OutputStreamWriter(pipe, StandardCharsets.UTF_8)),
                new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        assertTrue(
                attempts[0] < 100, "stopped at the first failed write, not after 200,000 characters: " + attempts[0]);
    }

    @Test
    void valuesOutOfRangeAreUsageErrorsOnOneLine() {
        for (String[] bad : new String[][] {
            {"--max-chars", "-1"},
            {"--top-p", "2"},
            {"--threads", "0"},
            {"--stop", ""},
            {"--replacement", "ab", "--unknown", "replace"}
        }) {
            String[] args = new String[bad.length + 4];
            args[0] = "generate";
            args[1] = "The ";
            args[2] = "--model";
            args[3] = model.toString();
            System.arraycopy(bad, 0, args, 4, bad.length);
            Cli.Result r = Cli.run(args);
            assertEquals(Main.EXIT_USAGE, r.code(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().endsWith("(see charlstm generate --help)" + System.lineSeparator()), r.err());
        }
        Cli.Result runFolder =
                Cli.run("generate", "The ", "--model", model.getParent().toString());
        assertTrue(
                runFolder.err().contains("a training run folder, not a model package; its package is " + model),
                runFolder.err());
        Cli.Result verbose = Cli.run(
                "--verbose", "generate", "The ", "--model", dir.resolve("nope").toString());
        assertEquals(Main.EXIT_FAILURE, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "--verbose before the command prints the stack trace too");
    }

    @Test
    void infoValidatesThePackageLikeGenerate() throws IOException {
        Path wrongShape = dir.resolve("wrong-shape");
        ModelPackage pkg = ModelPackage.read(model);
        ModelPackage.of(
                        pkg.manifest().toBuilder()
                                .shape(new ModelShape(0, pkg.manifest().shape().embeddingSize(), 256, 2, 0f))
                                .build(),
                        pkg.modelBytes())
                .write(wrongShape);
        Cli.Result r = Cli.run("info", "--model", wrongShape.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith("charlstm: error: " + wrongShape.resolve("model.onnx") + ": "), r.err());
        assertTrue(r.err().contains("V, H and L must match the graph"), r.err());

        Path empty = dir.resolve("empty-graph");
        ModelPackage.of(pkg.manifest(), new byte[0]).write(empty);
        Cli.Result e = Cli.run("info", "--model", empty.toString());
        assertEquals(1, e.code(), e.out());
        assertTrue(
                e.err().startsWith("charlstm: error: " + empty.resolve("model.onnx") + ": ONNX Runtime cannot load"),
                e.err());
    }

    @Test
    void infoDescribesThePackage() throws IOException {
        Cli.Result r = Cli.run("info", "--model", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dimensions   V="), r.out());
        assertTrue(r.out().contains("E=16 H=32 L=1"), r.out());
        assertTrue(r.out().contains("validation   ") && r.out().contains("bits/char"), r.out());
        assertTrue(r.out().contains(" iterations on data ("), "the corpus's name, not this machine's path: " + r.out());
        assertFalse(
                Files.readString(model.resolve("vocab.json")).contains(dir.toString()), "no folders in the package");
        assertFalse(r.out().contains("float32 model this was quantized from"), r.out());
        Cli.Result int8 = Cli.run("info"); // the shipped default, an int8 export
        assertTrue(
                int8.out()
                        .contains("of the float32 model this was quantized from (charlstm eval measures this"
                                + " package)"),
                int8.out());
    }

    @Test
    void benchJsonHasEveryMeasure() {
        Cli.Result r = Cli.run(
                "bench",
                "--model",
                model.toString(),
                "--chars",
                "300",
                "--batch",
                "1,4",
                "--concurrent",
                "1,3",
                "--concurrent-chars",
                "50",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        for (String field : new String[] {
            "load_ms",
            "first_char_ms",
            "one_stream_chars_per_s",
            "p50_us",
            "p99_us",
            "naive_chars_per_s",
            "batched_chars_per_s",
            "peak_rss_mb"
        }) {
            assertTrue(j.has(field), field + " in " + r.out());
        }
        assertTrue(j.get("one_stream_chars_per_s").getAsDouble() > 0);
        assertTrue(j.getAsJsonObject("batched_chars_per_s").has("4"));
        for (String threads : new String[] {"1", "3"}) {
            for (String mode : new String[] {"on", "off"}) {
                JsonObject f =
                        j.getAsJsonObject("concurrent").getAsJsonObject(threads).getAsJsonObject(mode);
                assertTrue(f.get("chars_per_s").getAsDouble() > 0, r.out());
                assertTrue(f.get("p99_us").getAsDouble() >= f.get("p50_us").getAsDouble(), r.out());
            }
        }
    }

    @Test
    @Timeout(120) // a guard, not a speed target: the bad folder must be refused before a billion characters are timed
    void benchRefusesABadComparisonFolderBeforeMeasuring() {
        Cli.Result r = Cli.run(
                "bench",
                "--model",
                model.toString(),
                "--compare",
                model.getParent().toString(),
                "--chars",
                "1000000000");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        assertTrue(r.err().contains("a training run folder, not a model package; its package is " + model), r.err());
        assertEquals("", r.out());
    }

    @Test
    void promptErrorsPlaceTheCharacterInTheTextTheyQuoteAndBlankPromptsSaySo() {
        String typed = "The   sea\n\n  was #";
        String cleaned = ModelPackage.read(model).manifest().textCleaning().cleanPrompt(typed);
        Cli.Result r = Cli.run("generate", typed, "--model", model.toString());
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains("at index " + cleaned.indexOf('#') + " (0-based, in characters of the prompt as"
                                + " cleaned, \"" + cleaned + "\"; --raw-prompt keeps it as typed)"),
                r.err());
        Cli.Result blank = Cli.run("generate", "   \n\n  ", "--model", model.toString());
        assertEquals(Main.EXIT_USAGE, blank.code(), blank.err());
        assertTrue(
                blank.err().contains("the prompt holds only spaces and line breaks, which cleaning removes"),
                blank.err());
        assertEquals(1, blank.err().strip().lines().count(), blank.err());
    }

    @Test
    void aGpuThatCannotBeUsedIsNamedInTheCommandLinesTerms() {
        Cli.Result r = Cli.run("generate", "The ", "--model", model.toString(), "--device", "gpu", "--max-chars", "5");
        assumeTrue(r.code() != 0, "this machine runs CUDA: nothing to refuse");
        assertTrue(
                r.err().startsWith("charlstm: error: --device gpu: ONNX Runtime cannot add its CUDA provider ("),
                r.err());
        assertTrue(r.err().contains("or use --device auto") && !r.err().contains("Exception"), r.err());
    }
}
