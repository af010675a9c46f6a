package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.internal.Mt19937;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The one cleaning: training text (trimmed) and prompts (their ends kept as one space or line break). */
class TextCleaningTest {

    private static final TextCleaning DEFAULT = TextCleaning.DEFAULT;

    @Test
    void linesJoinWithOneSpaceAndWhitespaceRunsCollapse() {
        assertEquals("a b c d", DEFAULT.clean("a\nb\r\n  c\t\t\rd\n"));
        assertEquals("", DEFAULT.clean("\n \n\t"));
        assertEquals("unicode spaces too", DEFAULT.clean("unicode\u00A0spaces \u2003 too"));
    }

    @Test
    void markerDropsWholeLinesOnly() {
        TextCleaning c = TextCleaning.builder().dropLinesContaining("Page").build();
        assertEquals("one three", c.clean("one\nPage 2\nthree"));
        assertEquals("one page two", c.clean("one page two"), "the marker is case-sensitive, as the tutorial's");
    }

    @Test
    void aPromptKeepsOneSpaceOrLineBreakAtItsEnds() {
        assertEquals("Call me Ishmael. Some ", DEFAULT.cleanPrompt("Call me\r\nIshmael.\n\n  Some\t "));
        assertEquals(" the sea", DEFAULT.cleanPrompt("\n the   sea"));
        assertEquals("caf\u00e9 ", DEFAULT.cleanPrompt("cafe\u0301\n"), "NFC, and the line break a space");
        assertEquals("", DEFAULT.cleanPrompt("  \n "));
        TextCleaning lines = TextCleaning.builder().keepNewlines(true).build();
        assertEquals("def f():\n    return 1\n", lines.cleanPrompt("def f():  \r\n    return 1\n"));
        assertEquals("  x = 1 ", lines.cleanPrompt("  x = 1   "));
        assertEquals("\nfoo", lines.cleanPrompt("\n\nfoo"));
    }

    @Test
    void aListIsOneTrimmedItemPerNonEmptyLine() {
        TextCleaning c =
                TextCleaning.builder().lines(true).dropLinesContaining("#").build();
        String raw = "  emma \r\n\n ava\tmaria \n# a comment\n\t \ncafe\u0301\nzoe";
        assertEquals(List.of("emma", "ava maria", "caf\u00e9", "zoe"), c.items(raw));
        assertEquals("emma\nava maria\ncaf\u00e9\nzoe", c.clean(raw));
        // a prompt's line breaks at its ends mark item boundaries
        assertEquals("\nja", c.cleanPrompt("\n  ja"));
        assertEquals("ja", c.cleanPrompt("ja"));
        assertThrows(
                IllegalArgumentException.class,
                () -> TextCleaning.builder().lines(true).keepNewlines(true).build());
        assertTrue(c.toString().contains("one item per line (--lines)"), c.toString());
    }

    @Test
    void theHeldOutItemsAreASeededSampleByMakemoresRule() {
        // min(1000, floor(n * fraction)) items
        assertEquals(2, count(EvaluationOptions.heldOutItems(20, 0.1, 0)));
        assertEquals(0, count(EvaluationOptions.heldOutItems(9, 0.1, 0)));
        assertEquals(1000, count(EvaluationOptions.heldOutItems(32_033, 0.1, 0)));
        assertEquals(3203, (int) Math.floor(32_033 * 0.1)); // what makemore's cap replaces
        // stable: the same seed draws the same items on every run and machine; pinned so a change is seen
        boolean[] a = EvaluationOptions.heldOutItems(20, 0.25, 42);
        assertArrayEquals(a, EvaluationOptions.heldOutItems(20, 0.25, 42));
        // torch.manual_seed(42); sorted(torch.randperm(20)[-5:]) is [5, 9, 12, 16, 19]
        assertEquals("[5, 9, 12, 16, 19]", Arrays.toString(indices(a)));
        // and makemore's 1,000 test names of names.txt (seed 3407) start at lines 61, 93, 103, 151, 160 (0-based)
        assertEquals(
                "[61, 93, 103, 151, 160]",
                Arrays.toString(Arrays.copyOf(indices(EvaluationOptions.heldOutItems(32_033, 0.1, 3407)), 5)));
        boolean[] b = EvaluationOptions.heldOutItems(20, 0.25, 43);
        // makemore's own draw: torch.manual_seed(3407); torch.randperm(32033)[:5] is [18545, 10853, 360, 10522, 2312]
        // and torch.manual_seed(0); torch.randperm(20) is [4, 5, 13, ..., 1, 0] (PyTorch 1.13, printed here)
        assertArrayEquals(new int[] {18545, 10853, 360, 10522, 2312}, Arrays.copyOf(Mt19937.randperm(32_033, 3407), 5));
        assertEquals(
                "[4, 5, 13, 19, 7, 14, 3, 6, 9, 17, 11, 2, 16, 18, 10, 12, 15, 8, 1, 0]",
                Arrays.toString(Mt19937.randperm(20, 0)));
        assertFalse(Arrays.equals(a, b));
        // random, not the tail: of 10,000 items the 1,000 held out spread over the whole list
        int[] held = indices(EvaluationOptions.heldOutItems(10_000, 0.1, 7));
        int inFirstHalf = 0;
        for (int i : held) {
            inFirstHalf += i < 5000 ? 1 : 0;
        }
        assertTrue(inFirstHalf > 400 && inFirstHalf < 600, inFirstHalf + " of 1000 in the first half");
    }

    private static int count(boolean[] held) {
        return indices(held).length;
    }

    private static int[] indices(boolean[] held) {
        return IntStream.range(0, held.length).filter(i -> held[i]).toArray();
    }
}
