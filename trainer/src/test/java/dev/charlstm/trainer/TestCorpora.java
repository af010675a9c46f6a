package dev.charlstm.trainer;

import dev.charlstm.trainer.corpus.CleaningOptions;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small corpora the tests write themselves. */
public final class TestCorpora {
    private TestCorpora() {}

    /**
     * A few thousand characters of a handful of sentences in seeded random order: learnable, with a small V.
     *
     * @param dir where to write {@code corpus/}
     * @return the corpus
     */
    public static Corpus repetitive(Path dir) {
        String[] sentences = {
            "the whale swam deep. ", "call me ishmael. ", "the sea was calm. ", "a ship sailed on. ",
            "the captain watched. "
        };
        SplittableRandom rng = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 6000) {
            sb.append(sentences[rng.nextInt(sentences.length)]);
        }
        return write(dir, "corpus", sb.toString());
    }

    /**
     * @param dir parent folder
     * @param name folder name
     * @param text the single file's text
     * @return the corpus read back with default cleaning
     */
    public static Corpus write(Path dir, String name, String text) {
        try {
            Path folder = Files.createDirectories(dir.resolve(name));
            Files.writeString(folder.resolve("text.txt"), text);
            return new CorpusReader(CleaningOptions.DEFAULT).read(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
