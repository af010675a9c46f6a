package dev.charlstm.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlstm.runtime.TextCleaning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer reads a corpus through the SDK's cleaning: a file's training text is, byte for byte, what an app gets
 * from {@code TextCleaning.clean} of the same bytes, for every cleaning the trainer offers.
 */
class SharedCleaningTest {

    @TempDir
    Path dir;

    @Test
    void theTrainersTextIsTheSdksCleaningOfTheFile() throws Exception {
        String raw = "\uFEFFCHAPTER 1. Loomings.\r\n\r\nCall me  Ishmael.\tSome years ago\u2014never mind how long"
                + " precisely\u2014\nPage 7\n  having little or no money in my purse, caf\u0065\u0301 \n\n";
        Path file = dir.resolve("moby.txt");
        Files.writeString(file, raw, StandardCharsets.UTF_8);
        for (TextCleaning cleaning : new TextCleaning[] {
            TextCleaning.DEFAULT,
            TextCleaning.builder().dropLinesContaining("Page").build(),
            TextCleaning.builder().keepNewlines(true).build(),
            TextCleaning.builder().normalizeNfc(false).build()
        }) {
            Corpus corpus = new CorpusReader(cleaning).read(file);
            String trained = new String(corpus.codePoints(), 0, corpus.codePoints().length);
            String app = cleaning.clean(raw.substring(1)); // the reader drops the byte-order mark
            assertEquals(app, trained, cleaning.toString());
            assertEquals(new String(app.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), trained);
        }
    }
}
