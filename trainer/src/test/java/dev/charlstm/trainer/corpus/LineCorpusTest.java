package dev.charlstm.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.LineItems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A list corpus (train --lines): its items, the seeded held-out sample, and batches of whole items. */
class LineCorpusTest {

    private static final TextCleaning LINES = TextCleaning.builder().lines(true).build();

    @TempDir
    Path dir;

    private Corpus list(String text) throws Exception {
        Path f = dir.resolve("names.txt");
        Files.writeString(f, text);
        return new CorpusReader(LINES).read(f);
    }

    /** The items of a part of a split, decoded from "\n item \n item \n". */
    private static List<String> items(int[] ids, int[] starts, Vocabulary v) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k + 1 < starts.length; k++) {
            assertEquals('\n', v.codePoint(ids[starts[k]]), "item " + k + " starts with the end symbol");
            StringBuilder b = new StringBuilder();
            for (int i = starts[k] + 1; i < starts[k + 1]; i++) {
                b.appendCodePoint(v.codePoint(ids[i]));
            }
            out.add(b.toString());
        }
        assertEquals('\n', v.codePoint(ids[starts[starts.length - 1]]), "the last item ends");
        assertEquals(ids.length - 1, starts[starts.length - 1]);
        return out;
    }

    @Test
    void eachNonEmptyTrimmedLineIsAnItemAndTheHeldOutOnesAreTheSeededSample() throws Exception {
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String name = "name" + (char) ('a' + i % 26) + (char) ('a' + i / 26);
            expected.add(name);
            text.append(i % 3 == 0 ? "  " + name + " \r\n\n" : name + "\n");
        }
        Corpus c = list(text.toString());
        assertEquals(String.join("\n", expected), c.text());
        assertTrue(c.vocabulary().contains('\n'));
        Split s = c.split(0.1, c.vocabulary(), 5);
        assertTrue(s.lines());
        List<String> train = items(s.train(), s.trainItems(), s.vocabulary());
        List<String> held = items(s.validation(), s.validationItems(), s.vocabulary());
        boolean[] rule = EvaluationOptions.heldOutItems(40, 0.1, 5);
        List<String> ruleHeld = new ArrayList<>();
        List<String> ruleTrain = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            (rule[i] ? ruleHeld : ruleTrain).add(expected.get(i));
        }
        assertEquals(ruleHeld, held, "the held-out items are the rule's, in file order");
        assertEquals(ruleTrain, train);
        assertEquals(4, held.size());
        // stable: the same seed splits the same way, another seed another way
        assertArrayEquals(s.validation(), c.split(0.1, c.vocabulary(), 5).validation());
        assertFalse(held.equals(items(
                c.split(0.1, c.vocabulary(), 6).validation(),
                c.split(0.1, c.vocabulary(), 6).validationItems(),
                c.vocabulary())));
        LineItems li = s.items();
        assertEquals(5, li.splitSeed());
        assertEquals(6, li.maxLength());
        for (String t : train) {
            assertEquals(LineItems.Origin.TRAINING, li.origin(t));
        }
        for (String h : held) {
            assertEquals(LineItems.Origin.HELD_OUT, li.origin(h));
        }
        assertEquals(LineItems.Origin.NEW, li.origin("zzz"));
    }

    @Test
    void tooFewItemsOrAnItemLongerThanAWindowIsRefusedByName() throws Exception {
        Corpus few = list("ann\nbob\ncid\n");
        CorpusException e = assertThrows(CorpusException.class, () -> few.split(0.1, few.vocabulary(), 0));
        assertTrue(
                e.getMessage().contains("3 items, too few to hold out 0.1")
                        && e.getMessage().contains("--val-fraction of at least 0.334"),
                e.getMessage());
        Corpus one = list("ann\n\n");
        e = assertThrows(CorpusException.class, () -> one.split(0.5, one.vocabulary(), 0));
        assertTrue(e.getMessage().contains("needs at least 2"), e.getMessage());
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            b.append(i == 7 ? "a very long line indeed" : "ab").append('\n');
        }
        Corpus longOne = list(b.toString());
        Split s = longOne.split(0.1, longOne.vocabulary(), 0);
        e = assertThrows(CorpusException.class, () -> s.requireWindows(16, "names.txt"));
        assertTrue(
                e.getMessage().contains("the longest item has 23 characters")
                        && e.getMessage().contains("--seq-len must be at least 24"),
                e.getMessage());
        s.requireWindows(24, "names.txt");
    }

    @Test
    void aBatchIsWholeItemsFromTheirStartPaddedToTheLongest() throws Exception {
        Corpus c = list("ab\nabcde\nb\nccc\nbad\ncab\nabc\nbc\nca\ndab\n");
        Split s = c.split(0.1, c.vocabulary(), 1);
        Vocabulary v = s.vocabulary();
        int end = v.idOf('\n');
        BatchSampler sampler = BatchSampler.items(s.train(), s.trainItems(), 6, 8, 3);
        Set<Integer> seenSteps = new HashSet<>();
        for (int k = 0; k < 20; k++) {
            sampler.batch(k);
            int steps = sampler.steps();
            seenSteps.add(steps);
            int longest = 0;
            for (int b = 0; b < 6; b++) {
                int item = sampler.starts()[b];
                int length = s.trainItems()[item + 1] - s.trainItems()[item]; // characters + end
                longest = Math.max(longest, length);
                assertEquals(end, sampler.inputs()[b * steps], "each item starts from the end symbol");
                for (int t = 0; t < steps; t++) {
                    int target = sampler.targets()[b * steps + t];
                    if (t < length - 1) {
                        assertEquals(sampler.inputs()[b * steps + t + 1], target, "teacher forcing");
                    } else if (t == length - 1) {
                        assertEquals(end, target, "the item's last target is its end");
                    } else {
                        assertEquals(BatchSampler.PAD, target, "padding is ignored");
                    }
                }
            }
            assertEquals(longest, steps);
        }
        assertTrue(seenSteps.size() > 1, "batches are as long as their longest item: " + seenSteps);
        BatchSampler again = BatchSampler.items(s.train(), s.trainItems(), 6, 8, 3);
        again.batch(7);
        sampler.batch(7);
        assertArrayEquals(sampler.inputs(), again.inputs());
    }
}
