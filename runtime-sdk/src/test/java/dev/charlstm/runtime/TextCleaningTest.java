package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
