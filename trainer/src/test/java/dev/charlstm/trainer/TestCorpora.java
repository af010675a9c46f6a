package dev.charlstm.trainer;

import dev.charlstm.runtime.TextCleaning;
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
            "the whale swam deep. ",
            "call me ishmael. ",
            "the sea was calm. ",
            "a ship sailed on. ",
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
     * About 40 kB of generated sentences about a harbour, one per line, from a small grammar (V about 27: the kind
     * of text on which the earlier int8 scheme scored thousands of nats per character).
     *
     * @param dir where to write {@code harbour/}
     * @return the corpus
     */
    public static Corpus harbour(Path dir) {
        String[] subjects = {
            "The north wind",
            "The old pilot",
            "My grandmother",
            "The lighthouse",
            "The harbour master",
            "A fisherman",
            "The ferry"
        };
        String[] verbs = {"crossed", "remembered", "carried", "counted", "watched", "mended", "waited for"};
        String[] objects = {
            "the long tide",
            "the ships beyond the bar",
            "the stones of the pier",
            "a letter from the south",
            "the nets",
            "the fog",
            "the bell"
        };
        String[] endings = {
            "until the water was calm",
            "for the third time that week",
            "and said nothing at all",
            "while the gulls cried",
            "before the sun went down",
            "as the boats came home"
        };
        SplittableRandom rng = new SplittableRandom(17);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 40_000) {
            sb.append(subjects[rng.nextInt(subjects.length)])
                    .append(' ')
                    .append(verbs[rng.nextInt(verbs.length)])
                    .append(' ')
                    .append(objects[rng.nextInt(objects.length)])
                    .append(' ')
                    .append(endings[rng.nextInt(endings.length)])
                    .append(".\n");
        }
        return write(dir, "harbour", sb.toString());
    }

    /**
     * About 20 kB of ledger lines: digits, capitals and punctuation (V about 50), unlike the other corpora.
     *
     * @param dir where to write {@code ledger/}
     * @return the corpus
     */
    public static Corpus ledger(Path dir) {
        String[] items = {"Rope", "Tar", "Canvas", "Salt cod", "Lamp oil", "Biscuit", "Nails"};
        SplittableRandom rng = new SplittableRandom(29);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 20_000) {
            int qty = 1 + rng.nextInt(40);
            sb.append("No. ")
                    .append(1000 + rng.nextInt(9000))
                    .append(": ")
                    .append(qty)
                    .append(" x ")
                    .append(items[rng.nextInt(items.length)])
                    .append(" @ $")
                    .append(rng.nextInt(20))
                    .append('.')
                    .append(10 + rng.nextInt(90))
                    .append("; paid ")
                    .append(rng.nextBoolean() ? "Y" : "N")
                    .append(".\n");
        }
        return write(dir, "ledger", sb.toString());
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
            return new CorpusReader(TextCleaning.DEFAULT).read(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
