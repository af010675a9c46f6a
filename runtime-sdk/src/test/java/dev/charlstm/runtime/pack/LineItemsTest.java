package dev.charlstm.runtime.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.Fixtures;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.ItemOptions;
import dev.charlstm.runtime.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The membership structure of a list's items, the manifest's version 3 sections, and version 2 packages beside them. */
class LineItemsTest {

    private static List<String> names(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            int len = 3 + r.nextInt(8);
            for (int k = 0; k < len; k++) {
                b.append((char) ('a' + r.nextInt(26)));
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void holdsEveryMemberAndMistakesOutsidersAtTheClaimedRate() {
        List<String> members = names(20_000, 1);
        ItemMembership set = ItemMembership.of(members, ItemMembership.DEFAULT_FALSE_POSITIVE_RATE);
        for (String m : members) {
            assertTrue(set.mightContain(m), m);
        }
        Set<String> memberSet = new HashSet<>(members);
        assertEquals(memberSet.size(), set.count());
        double claimed = set.falsePositiveRate();
        assertTrue(claimed > 0.5e-4 && claimed < 1.5e-4, "claimed " + claimed);
        // 400,000 random strings of other lengths and alphabets: the observed rate within 4 sigma of the claim
        SplittableRandom r = new SplittableRandom(99);
        int trials = 400_000;
        int falsePositives = 0;
        int outsiders = 0;
        for (int i = 0; i < trials; i++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + r.nextInt(14);
            for (int k = 0; k < len; k++) {
                b.appendCodePoint(r.nextInt(4) == 0 ? 'A' + r.nextInt(26) : 'a' + r.nextInt(26));
            }
            String s = b.toString();
            if (memberSet.contains(s)) {
                continue;
            }
            outsiders++;
            falsePositives += set.mightContain(s) ? 1 : 0;
        }
        double expected = claimed * outsiders;
        assertTrue(
                falsePositives <= expected + 4 * Math.sqrt(expected) + 1,
                falsePositives + " false positives in " + outsiders + ", claimed rate " + claimed);
    }

    @Test
    void labelsTrainingBeforeHeldOutAsMakemoreDoes() {
        LineItems items = new LineItems(
                7,
                0.1,
                5,
                ItemMembership.of(List.of("emma", "ava"), 1e-4),
                ItemMembership.of(List.of("ava", "zoe"), 1e-4));
        assertEquals(LineItems.Origin.TRAINING, items.origin("emma"));
        assertEquals(LineItems.Origin.TRAINING, items.origin("ava"));
        assertEquals(LineItems.Origin.HELD_OUT, items.origin("zoe"));
        assertEquals(LineItems.Origin.NEW, items.origin("zoey"));
        LineItems back = LineItems.fromJson(items.toJson());
        assertEquals(items, back);
    }

    @Test
    void aDamagedFilterIsRefusedByName() {
        LineItems items = new LineItems(
                7, 0.1, 5, ItemMembership.of(List.of("emma"), 1e-4), ItemMembership.of(List.of("zoe"), 1e-4));
        JsonObject o = JsonParser.parseString(items.toJson()).getAsJsonObject();
        String bloom = o.getAsJsonObject("training").get("bloom").getAsString();
        o.getAsJsonObject("training").addProperty("bloom", (bloom.charAt(0) == 'A' ? "B" : "A") + bloom.substring(1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LineItems.fromJson(o.toString()));
        assertTrue(e.getMessage().startsWith("items.training.bloom's SHA-256"), e.getMessage());
        o.getAsJsonObject("training").remove("bloom");
        e = assertThrows(IllegalArgumentException.class, () -> LineItems.fromJson(o.toString()));
        assertEquals("items.training.bloom is missing", e.getMessage());
    }

    /** A list package built from the tiny fixture's graphs: its vocabulary gains nothing, so '\n' must be in it. */
    private static ModelManifest listManifest(ModelManifest text) {
        LineItems items = new LineItems(
                3, 0.1, 12, ItemMembership.of(List.of("the whale"), 1e-4), ItemMembership.of(List.of("ahab"), 1e-4));
        return text.toBuilder().lines(true).items(items).build();
    }

    @Test
    void aListPackageIsVersion3AndReadsBackWhileTextPackagesStayVersion2(@TempDir Path tmp) throws Exception {
        ModelPackage text = Fixtures.read(Fixtures.TINY);
        assertFalse(text.manifest().lines());
        assertNull(text.manifest().items());
        text.write(tmp.resolve("text"));
        assertEquals(
                2,
                JsonParser.parseString(Files.readString(tmp.resolve("text/vocab.json")))
                        .getAsJsonObject()
                        .get("version")
                        .getAsInt());
        Vocabulary v = text.manifest().vocabulary();
        assertFalse(v.contains('\n'));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> listManifest(text.manifest()));
        assertTrue(e.getMessage().contains("end-of-item symbol U+000A"), e.getMessage());
        // the graphs do not care which characters their ids stand for: the first one becomes the end symbol
        int[] cps = v.codePoints();
        cps[0] = '\n';
        ModelManifest withEnd =
                text.manifest().toBuilder().vocabulary(Vocabulary.of(cps)).build();
        ModelPackage list = ModelPackage.of(listManifest(withEnd), text.modelBytes(), text.sequenceBytes());
        list.write(tmp.resolve("list"));
        JsonObject root = JsonParser.parseString(Files.readString(tmp.resolve("list/vocab.json")))
                .getAsJsonObject();
        assertEquals(3, root.get("version").getAsInt());
        assertTrue(root.getAsJsonObject("cleaning").get("lines").getAsBoolean());
        ModelPackage back = ModelPackage.read(tmp.resolve("list"));
        assertTrue(back.manifest().lines());
        assertEquals(list.manifest().items(), back.manifest().items());
        // a list written as version 2 would be read by older readers as a text model: refused
        root.addProperty("version", 2);
        Files.writeString(tmp.resolve("list/vocab.json"), root.toString());
        PackageException e2 = assertThrows(PackageException.class, () -> ModelPackage.read(tmp.resolve("list")));
        assertTrue(e2.getMessage().contains("need format version 3"), e2.getMessage());
        // and a damaged field is named once, with its path
        root.addProperty("version", 3);
        root.getAsJsonObject("items").getAsJsonObject("training").remove("bits");
        Files.writeString(tmp.resolve("list/vocab.json"), root.toString());
        PackageException e3 = assertThrows(PackageException.class, () -> ModelPackage.read(tmp.resolve("list")));
        assertTrue(e3.getMessage().endsWith("items.training.bits is missing"), e3.getMessage());
    }

    @Test
    void aTextModelRefusesToMakeItemsAndStillGenerates() {
        try (CharLstmModel m = Fixtures.tiny()) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> m.generateItems(3, ItemOptions.DEFAULT));
            assertTrue(e.getMessage().contains("not trained on a list"), e.getMessage());
            assertFalse(m.generate("the ", GenerationOptions.DEFAULT).text().isEmpty());
        }
    }
}
