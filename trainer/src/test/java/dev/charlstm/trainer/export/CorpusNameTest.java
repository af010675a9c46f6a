package dev.charlstm.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A shared package names its corpus, never the trainer's folders. */
class CorpusNameTest {

    @Test
    void onlyTheLastPathElementIsKept() {
        assertEquals("moby-dick", PackageExporter.corpusName("/home/ana/private/books/moby-dick"));
        assertEquals("moby-dick", PackageExporter.corpusName("/home/ana/private/books/moby-dick/"));
        assertEquals("moby-dick", PackageExporter.corpusName("data/moby-dick"));
        assertEquals("war.txt", PackageExporter.corpusName("C:\\Users\\ana\\war.txt"));
        assertEquals("corpus", PackageExporter.corpusName("."));
        assertEquals("plain", PackageExporter.corpusName("plain"));
    }
}
