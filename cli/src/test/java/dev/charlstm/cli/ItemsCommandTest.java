package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.GeneratedItem;
import dev.charlstm.runtime.GeneratedItems;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.ItemOptions;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.runtime.pack.LineItems;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.server.CharLstmServer;
import dev.charlstm.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A list corpus end to end: {@code train --lines} on a tiny list of made-up names, then {@code generate --items}
 * (items end, seeds reproduce them, {@code --novel} never returns a training item), {@code eval} (the recorded
 * held-out loss) and the SDK's {@code generateItems}.
 */
class ItemsCommandTest {

    /** 400 made-up names from syllables, with repeats, blank lines and stray spaces, as real lists have. */
    static final List<String> NAMES = names();

    private static Path dir;

    private static List<String> names() {
        String[] a = {"ka", "lo", "mi", "ra", "su", "te", "no", "vi", "an", "el"};
        String[] b = {"", "n", "ra", "lia", "to", "mi", "s", "ne"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            out.add(a[(i * 7) % a.length] + a[(i / 3) % a.length] + b[(i * 3 + i / 10) % b.length]);
        }
        return out;
    }

    @BeforeAll
    static void train() throws Exception {
        dir = Files.createTempDirectory("charlstm-items-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> AtomicFiles.deleteRecursively(dir)));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < NAMES.size(); i++) {
            text.append(i % 9 == 0 ? "  " : "").append(NAMES.get(i)).append(i % 13 == 0 ? " \n\n" : "\n");
        }
        Files.writeString(dir.resolve("names.txt"), text);
        Cli.Result r = Cli.run(Cli.tinyTraining(
                dir.resolve("names.txt").toString(),
                dir.resolve("run").toString(),
                "150",
                "--lines",
                "--eval-interval",
                "75",
                "--sample-length",
                "0"));
        assertEquals(0, r.code(), r.err());
    }

    private static Path model() {
        return dir.resolve("run/model");
    }

    /** The options {@code generate --items} uses by default: the seed, and a cap of twice the longest item. */
    private static ItemOptions asTheCliDoes(CharLstmModel m, long seed) {
        return ItemOptions.builder()
                .generation(GenerationOptions.builder()
                        .seed(seed)
                        .maxCharacters(Math.max(16, 2 * m.manifest().items().maxLength()))
                        .build())
                .build();
    }

    /** The training items by the split rule, from the list as written (seed 0, 10%). */
    private static Set<String> trainingItems() {
        List<String> items = TextCleaning.builder().lines(true).build().items(String.join("\n", NAMES));
        boolean[] held = EvaluationOptions.heldOutItems(items.size(), 0.1, 0);
        Set<String> train = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            if (!held[i]) {
                train.add(items.get(i));
            }
        }
        return train;
    }

    @Test
    void theManifestRecordsTheListAndItsItems() throws Exception {
        JsonObject m = JsonParser.parseString(Files.readString(model().resolve("vocab.json")))
                .getAsJsonObject();
        assertEquals(3, m.get("version").getAsInt());
        assertTrue(m.getAsJsonObject("cleaning").get("lines").getAsBoolean());
        JsonObject items = m.getAsJsonObject("items");
        assertEquals(
                new HashSet<>(trainingItems()).size(),
                items.getAsJsonObject("training").get("count").getAsInt());
        assertTrue(items.getAsJsonObject("training").get("false_positive_rate").getAsDouble() < 2e-4);
        Cli.Result info = Cli.run("info", "--model", model().toString());
        assertEquals(0, info.code(), info.err());
    }

    @Test
    void itemsEndAndASeedWritesThemAgain() {
        Cli.Result a = Cli.run("generate", "--model", model().toString(), "--items", "40", "--seed", "5");
        assertEquals(0, a.code(), a.err());
        String[] lines = a.out().split("\n");
        assertEquals(40, lines.length, a.out());
        int cap = 2 * ModelPackage.read(model()).manifest().items().maxLength();
        int cut = 0;
        for (String line : lines) {
            String[] f = line.split("\t");
            assertEquals(2, f.length, line);
            assertTrue(Set.of("training", "held-out", "new", "cut", "empty").contains(f[1]), line);
            assertTrue(f[0].codePointCount(0, f[0].length()) <= Math.max(16, cap), line);
            cut += f[1].equals("cut") ? 1 : 0;
        }
        assertTrue(cut < 4, cut + " of 40 items never ended");
        assertTrue(a.err().contains("charlstm: 40 items: "), a.err());
        assertEquals(
                a.out(),
                Cli.run("generate", "--model", model().toString(), "--items", "40", "--seed", "5")
                        .out());
        assertNotEquals(
                a.out(),
                Cli.run("generate", "--model", model().toString(), "--items", "40", "--seed", "6")
                        .out());
    }

    @Test
    void novelItemsAreNeverTrainingItemsNorRepeated() {
        Set<String> train = trainingItems();
        Cli.Result r = Cli.run("generate", "--model", model().toString(), "--items", "60", "--novel", "--seed", "1");
        assertEquals(0, r.code(), r.err());
        Set<String> seen = new HashSet<>();
        for (String line : r.out().split("\n")) {
            String item = line.split("\t")[0];
            assertFalse(train.contains(item), item + " is a training item");
            assertTrue(seen.add(item), item + " repeated");
            assertTrue(line.endsWith("\tnew"), line);
        }
        assertEquals(60, seen.size());
        assertTrue(
                r.err().matches("(?s).*60 new items from \\d+ samples \\(dropped: \\d+ in the training items.*"),
                r.err());

        // a prefix character the model lacks, skipped: the items start with the prefix as fed, and are labelled so
        Cli.Result skipped = Cli.run(
                "generate",
                "--model",
                model().toString(),
                "--items",
                "5",
                "--prefix",
                "k1a",
                "--unknown",
                "skip",
                "--seed",
                "3");
        assertEquals(0, skipped.code(), skipped.err());
        for (String line : skipped.out().split("\n")) {
            assertTrue(line.startsWith("ka"), line);
        }
        Cli.Result stop = Cli.run("generate", "--model", model().toString(), "--items", "5", "--stop", "a");
        assertEquals(2, stop.code());
        assertTrue(stop.err().contains("--stop does not apply to --items"), stop.err());

        Cli.Result prefixed = Cli.run(
                "generate", "--model", model().toString(), "--items", "10", "--novel", "--prefix", "ka", "--seed", "2");
        assertEquals(0, prefixed.code(), prefixed.err());
        for (String line : prefixed.out().split("\n")) {
            assertTrue(line.startsWith("ka"), line);
            assertFalse(train.contains(line.split("\t")[0]), line);
        }
    }

    @Test
    void evalReproducesTheRecordedHeldOutLoss() {
        Cli.Result r = Cli.run(
                "eval",
                "--model",
                model().toString(),
                "--data",
                dir.resolve("names.txt").toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("held-out items", j.get("scored").getAsString());
        assertEquals(40, j.get("windows").getAsInt(), "10% of 400 items");
        assertEquals(0, j.get("difference").getAsDouble(), 1e-5);
        Cli.Result all = Cli.run(
                "eval",
                "--model",
                model().toString(),
                "--data",
                dir.resolve("names.txt").toString(),
                "--all",
                "--json");
        assertEquals(
                400,
                JsonParser.parseString(all.out())
                        .getAsJsonObject()
                        .get("windows")
                        .getAsInt());
        Cli.Result window = Cli.run(
                "eval",
                "--model",
                model().toString(),
                "--data",
                dir.resolve("names.txt").toString(),
                "--window",
                "8");
        assertEquals(2, window.code());
        assertTrue(window.err().contains("--window does not apply"), window.err());
    }

    @Test
    void theSdkMakesTheSameItemsAsTheCommandLine() {
        try (CharLstmModel m = CharLstmModel.load(model())) {
            GeneratedItems made = m.generateItems(40, asTheCliDoes(m, 5));
            assertEquals(40, made.sampled());
            String cli = Cli.run("generate", "--model", model().toString(), "--items", "40", "--seed", "5")
                    .out();
            StringBuilder sdk = new StringBuilder();
            for (GeneratedItem item : made.items()) {
                String label = !item.complete()
                        ? "cut"
                        : item.origin() == LineItems.Origin.HELD_OUT
                                ? "held-out"
                                : item.origin().name().toLowerCase(Locale.ROOT);
                sdk.append(item.text()).append('\t').append(label).append('\n');
            }
            assertEquals(cli, sdk.toString());
            // one at a time, seed by seed, the same items: a batch changes nothing
            GeneratedItem third = m.generateItems(1, asTheCliDoes(m, 7)).items().get(0);
            assertEquals(made.items().get(2), third);
        }
    }

    @Test
    void aTextModelHasNoItemsAndLinesExcludeKeepNewlines() {
        Cli.Result r = Cli.run("generate", "--model", TinyRun.model().toString(), "--items", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("was not trained on a list (train --lines)"), r.err());
        Cli.Result novel = Cli.run("generate", "--model", model().toString(), "--novel");
        assertEquals(2, novel.code());
        assertTrue(novel.err().contains("--novel goes with --items N"), novel.err());
        Cli.Result both = Cli.run(Cli.tinyTraining(
                dir.resolve("names.txt").toString(),
                dir.resolve("other").toString(),
                "5",
                "--lines",
                "--keep-newlines"));
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--lines and --keep-newlines exclude each other"), both.err());
        assertFalse(Files.exists(dir.resolve("other")));
    }

    @Test
    void overHttpItemsAreOneCompletionsRequestFromTheStartOfAnItem() throws Exception {
        try (CharLstmModel m = CharLstmModel.load(model());
                CharLstmServer server = CharLstmServer.start(
                        ServerOptions.builder().port(0).modelId("names").build(), CharLstmModel.load(model()))) {
            int cap = Math.max(16, 2 * m.manifest().items().maxLength());
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"prompt\": \"\\n\", \"n\": 12, \"stop\": [\"\\n\"], \"max_tokens\": "
                                                    + cap + ", \"seed\": 5}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonArray choices =
                    JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("choices");
            GeneratedItems made = m.generateItems(12, asTheCliDoes(m, 5));
            assertEquals(12, choices.size());
            for (int i = 0; i < 12; i++) {
                JsonObject c = choices.get(i).getAsJsonObject();
                assertEquals(made.items().get(i).text(), c.get("text").getAsString(), "choice " + i);
                assertEquals(
                        made.items().get(i).complete() ? "stop" : "length",
                        c.get("finish_reason").getAsString());
            }
        }
    }
}
