package dev.charlstm.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TextCleanerTest {

    private static final TextCleaner DEFAULT = new TextCleaner(CleaningOptions.DEFAULT);

    @Test
    void linesJoinWithOneSpaceAndWhitespaceRunsCollapse() {
        assertEquals("a b c d", DEFAULT.clean("a\nb\r\n  c\t\t\rd\n"));
        assertEquals("", DEFAULT.clean("\n \n\t"));
        assertEquals("unicode spaces too", DEFAULT.clean("unicode\u00A0spaces \u2003 too"));
    }

    @Test
    void markerDropsWholeLinesOnly() {
        TextCleaner c = new TextCleaner(CleaningOptions.builder().dropLinesContaining("Page").build());
        assertEquals("one three", c.clean("one\nPage 2\nthree"));
        assertEquals("one page two", c.clean("one page two"), "the marker is case-sensitive, as the tutorial's");
    }
}
