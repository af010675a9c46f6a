package dev.charlstm.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static Corpus read(Path p) {
        return new CorpusReader(TextCleaning.DEFAULT).read(p);
    }

    @Test
    void cleansLikeTheTutorial() throws IOException {
        write("a.txt", "  Call me   Ishmael.\r\n\n\tSome years ago \nnever mind\n");
        assertEquals("Call me Ishmael. Some years ago never mind", read(dir).text());
    }

    @Test
    void joinsFilesInSortedRelativePathOrderRecursively() throws IOException {
        write("b.txt", "second");
        write("a/z.txt", "first");
        write("c/d/e.txt", "third");
        write("notes.md", "ignored");
        Corpus c = read(dir);
        assertEquals("first second third", c.text());
        assertEquals(List.of(dir.resolve("a/z.txt"), dir.resolve("b.txt"), dir.resolve("c/d/e.txt")), c.files());
    }

    @Test
    void dropsLinesContainingTheMarker() throws IOException {
        write("a.txt", "Harry looked up.\nPage | 12 Harry Potter\nHe ran.\n");
        Corpus c = new CorpusReader(
                        TextCleaning.builder().dropLinesContaining("Page").build())
                .read(dir);
        assertEquals("Harry looked up. He ran.", c.text());
    }

    @Test
    void keepNewlinesKeepsLayout() throws IOException {
        write("a.txt", "def f():  \r\n    return 1\n\nx = f()\n\n");
        write("b.txt", "\nsecond file\n");
        Corpus c = new CorpusReader(TextCleaning.builder().keepNewlines(true).build()).read(dir);
        assertEquals("def f():\n    return 1\n\nx = f()\nsecond file", c.text());
    }

    @Test
    void readsASingleFileAndDropsTheByteOrderMark() throws IOException {
        Path f = write("one.txt", "\uFEFFhello world");
        Corpus c = read(f);
        assertEquals("hello world", c.text());
        assertEquals(List.of(f), c.files());
    }

    @Test
    void vocabularyIsSortedCodePointsWithEmojiAndCombiningMarkAsSingleEntries() throws IOException {
        // "e" + COMBINING ACUTE ACCENT, and a whale emoji outside the BMP (two UTF-16 chars, one code point).
        write("a.txt", "ba e\u0301 \uD83D\uDC33a");
        // text as given (runs from before NFC): the combining mark is a character of its own
        Corpus c = new CorpusReader(TextCleaning.builder().normalizeNfc(false).build()).read(dir);
        Vocabulary v = c.vocabulary();
        assertArrayEquals(new int[] {' ', 'a', 'b', 'e', 0x301, 0x1F433}, v.codePoints());
        assertEquals(8, c.length(), "code points, not UTF-16 chars");
        assertEquals(5, v.idOf(0x1F433));
        assertEquals("ba e\u0301 \uD83D\uDC33a", v.decode(v.encode(c.codePoints())));
        // the default, NFC: e + U+0301 is the one character U+00E9
        Corpus nfc = read(dir);
        assertArrayEquals(
                new int[] {' ', 'a', 'b', 0xE9, 0x1F433}, nfc.vocabulary().codePoints());
        assertEquals(7, nfc.length());
    }

    @Test
    void splitHoldsOutTheLastTenPercentByCodePoints() throws IOException {
        write("a.txt", "abcdefghij".repeat(10));
        Split s = read(dir).split(0.1);
        assertEquals(90, s.train().length);
        assertEquals(10, s.validation().length);
        Vocabulary v = s.vocabulary();
        assertEquals("abcdefghij", v.decode(s.validation()));
        assertEquals(20, read(dir).split(0.2).validation().length);
    }

    @Test
    void corpusDigestIdentifiesTheCleanedText() throws IOException {
        write("a.txt", "same   text");
        String first = read(dir).sha256();
        write("a.txt", "same text\n");
        assertEquals(first, read(dir).sha256(), "cleaning-equivalent files digest the same");
        write("a.txt", "other text");
        assertTrue(!first.equals(read(dir).sha256()));
    }

    @Test
    void invalidUtf8NamesTheFileAndByteOffset() throws IOException {
        Path f = dir.resolve("bad.txt");
        byte[] bytes = "héllo ".getBytes(StandardCharsets.UTF_8);
        byte[] withBad = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, withBad, 0, bytes.length);
        withBad[bytes.length] = (byte) 0xC3; // a lead byte ...
        withBad[bytes.length + 1] = (byte) 0x28; // ... followed by a non-continuation byte
        Files.write(f, withBad);
        CorpusException e = assertThrows(CorpusException.class, () -> read(dir));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not valid UTF-8 at byte offset 7"), e.getMessage());
    }

    @Test
    void missingPathEmptyFolderAndNoTextFilesAreNamed() throws IOException {
        CorpusException missing = assertThrows(CorpusException.class, () -> read(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope: no such file or folder"), missing.getMessage());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        CorpusException e = assertThrows(CorpusException.class, () -> read(empty));
        assertTrue(e.getMessage().contains("the folder is empty"), e.getMessage());

        Path noTxt = Files.createDirectory(dir.resolve("md"));
        Files.writeString(noTxt.resolve("a.md"), "text");
        CorpusException n = assertThrows(CorpusException.class, () -> read(noTxt));
        assertTrue(n.getMessage().contains("no .txt files"), n.getMessage());

        Path blank = Files.createDirectory(dir.resolve("blank"));
        Files.writeString(blank.resolve("a.txt"), " \n\t\n");
        CorpusException b = assertThrows(CorpusException.class, () -> read(blank));
        assertTrue(b.getMessage().contains("no text is left after cleaning"), b.getMessage());
    }

    @Test
    void textShorterThanAWindowIsRejectedForEachPart() throws IOException {
        write("a.txt", "x".repeat(50) + "y".repeat(50));
        Split s = read(dir).split(0.1);
        CorpusException train = assertThrows(CorpusException.class, () -> s.requireWindows(100, dir));
        assertTrue(
                train.getMessage().contains("training part has 90 characters, shorter than one window of 101"),
                train.getMessage());
        CorpusException val = assertThrows(CorpusException.class, () -> s.requireWindows(20, dir));
        assertTrue(
                val.getMessage().contains("validation part has 10 characters, shorter than one window of 21"),
                val.getMessage());
        s.requireWindows(9, dir);
    }

    @Test
    void tooManyDistinctCharactersIsProbablyNotText() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int cp = 0x4E00; cp < 0x4E00 + Corpus.MAX_VOCABULARY + 1; cp++) {
            sb.appendCodePoint(cp);
        }
        write("a.txt", sb.toString());
        CorpusException e = assertThrows(CorpusException.class, () -> read(dir));
        assertTrue(e.getMessage().contains("10001 distinct characters"), e.getMessage());
    }

    @Test
    void utf16IsRecognisedWithOrWithoutAByteOrderMark() throws IOException {
        String text = "Call me Ishmael. Some years ago, never mind how long precisely.";
        Object[][] cases = {
            {"le-nobom.txt", text.getBytes(StandardCharsets.UTF_16LE), "UTF-16LE without a byte-order mark"},
            {"be-nobom.txt", text.getBytes(StandardCharsets.UTF_16BE), "UTF-16BE without a byte-order mark"},
            {
                "le-bom.txt",
                concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, text.getBytes(StandardCharsets.UTF_16LE)),
                "UTF-16LE (it starts with the byte-order mark FF FE)"
            },
            {"be-bom.txt", text.getBytes(StandardCharsets.UTF_16), "UTF-16BE (it starts with the byte-order mark"},
        };
        for (Object[] c : cases) {
            Path sub = Files.createDirectories(dir.resolve(((String) c[0]).replace(".txt", "")));
            Path f = sub.resolve((String) c[0]);
            Files.write(f, (byte[]) c[1]);
            CorpusException e = assertThrows(CorpusException.class, () -> read(f));
            assertTrue(e.getMessage().startsWith(f + ": looks like " + c[2]), e.getMessage());
            assertTrue(e.getMessage().contains("convert it to UTF-8"), e.getMessage());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void controlCharactersOtherThanWhitespaceAreRefusedWithTheirOffset() throws IOException {
        for (String control : new String[] {"\u0000", "\u001B", "\u007F", "\u0085"}) {
            Path f = write("c" + (int) control.charAt(0) + "/a.txt", "good text\n" + control + "more");
            CorpusException e = assertThrows(CorpusException.class, () -> read(f));
            assertTrue(
                    e.getMessage()
                            .startsWith(f + ": control character " + Vocabulary.describe(control.charAt(0))
                                    + " at byte offset 10"),
                    e.getMessage());
        }
        Path ok = write("ws/a.txt", "tab\there\u000Bvertical\fform feed\r\nline");
        assertEquals("tab here vertical form feed line", read(ok).text());
    }

    @Test
    void anUnreadableSubfolderIsNamedWithWhatToDo() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("corpus/locked"));
        write("corpus/a.txt", "readable text");
        CorpusException e =
                CorpusReader.unreadable(dir.resolve("corpus"), sub, new AccessDeniedException(sub.toString()));
        assertEquals(
                sub + ": cannot read it (permission denied); fix its permissions, or move it out of "
                        + dir.resolve("corpus"),
                e.getMessage());
        // For real where the file system denies us (not as root, who may read anything):
        sub.toFile().setReadable(false, false);
        sub.toFile().setExecutable(false, false);
        try {
            if (!Files.isReadable(sub)) {
                CorpusException real = assertThrows(CorpusException.class, () -> read(dir.resolve("corpus")));
                assertTrue(real.getMessage().contains("permission denied"), real.getMessage());
            }
        } finally {
            sub.toFile().setReadable(true, false);
            sub.toFile().setExecutable(true, false);
        }
    }

    @Test
    void aDropMarkerTypedInEitherFormDropsTheSameLines() throws IOException {
        write("a.txt", "un caf\u00e9 noir\nthe whale\nle caf\u00e9\n");
        String decomposed = "cafe\u0301";
        Corpus c = new CorpusReader(
                        TextCleaning.builder().dropLinesContaining(decomposed).build())
                .read(dir);
        assertEquals("the whale", c.text());
    }
}
