package dev.charlstm.trainer.corpus;

import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.AtomicFiles;
import dev.charlstm.runtime.internal.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a corpus: a single text file, or every {@code *.txt} file under a folder (recursively, sorted by relative
 * path so the result does not depend on the file system), decoded as strict UTF-8 and cleaned.
 *
 * <p>Thread-safe: it holds only its options.
 */
public final class CorpusReader {

    private final TextCleaning options;

    /** @param options how to clean the text (the SDK's cleaning, which prompts and evaluated text share) */
    public CorpusReader(TextCleaning options) {
        this.options = options;
    }

    /**
     * @param source a {@code .txt} file or a folder holding them
     * @return the cleaned corpus
     * @throws CorpusException naming the path and problem: missing path, empty folder, no text files, bad UTF-8
     *     (with its byte offset), no text left after cleaning, too many distinct characters
     */
    public Corpus read(Path source) {
        List<Path> files = listFiles(source);
        StringBuilder text = new StringBuilder();
        List<Path> placed = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        int codePoints = 0;
        for (Path file : files) {
            // a list: its items joined with '\n' (the end-of-item symbol), and files joined the same way
            String cleaned = options.clean(decode(file));
            if (cleaned.isEmpty()) {
                continue;
            }
            if (text.length() > 0) {
                text.append(options.keepNewlines() || options.lines() ? '\n' : ' ');
                codePoints++;
            }
            placed.add(file);
            starts.add(codePoints);
            text.append(cleaned);
            codePoints += cleaned.codePointCount(0, cleaned.length());
        }
        if (text.length() == 0) {
            throw new CorpusException(source + ": no text is left after cleaning (" + files.size() + " file"
                    + (files.size() == 1 ? "" : "s") + " read, " + options + ")");
        }
        String s = text.toString();
        return new Corpus(
                source,
                files,
                options,
                s.codePoints().toArray(),
                Sha256.hex(s.getBytes(StandardCharsets.UTF_8)),
                placed,
                starts.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Path> listFiles(Path source) {
        if (!Files.exists(source)) {
            throw new CorpusException(source + ": no such file or folder");
        }
        if (Files.isRegularFile(source)) {
            return List.of(source);
        }
        List<Path> all = new ArrayList<>();
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        all.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    throw unreadable(source, file, e);
                }
            });
        } catch (IOException e) {
            throw unreadable(source, source, e);
        }
        if (all.isEmpty()) {
            throw new CorpusException(source + ": the folder is empty");
        }
        List<Path> texts = new ArrayList<>();
        for (Path p : all) {
            if (p.getFileName().toString().endsWith(".txt")) {
                texts.add(p);
            }
        }
        if (texts.isEmpty()) {
            throw new CorpusException(source + ": the folder holds " + all.size() + " file"
                    + (all.size() == 1 ? "" : "s") + " but no .txt files");
        }
        // Sort by the relative path's string form: the same order on every file system and platform.
        texts.sort((a, b) -> source.relativize(a)
                .toString()
                .replace('\\', '/')
                .compareTo(source.relativize(b).toString().replace('\\', '/')));
        return texts;
    }

    /** A file or folder under the corpus that cannot be read: name it, say why, say what to do. */
    static CorpusException unreadable(Path source, Path what, IOException e) {
        String why = e instanceof AccessDeniedException
                ? "permission denied"
                : e instanceof NoSuchFileException ? "it disappeared while being listed" : AtomicFiles.describe(e);
        return new CorpusException(
                what + ": cannot read it (" + why + "); fix its permissions, or move it out of " + source, e);
    }

    /**
     * Strict UTF-8: the first undecodable byte sequence fails with the file and its byte offset. UTF-16 (with a
     * byte-order mark, or without one: every other byte 0) is recognised and named. Control characters other than
     * tab, line feed, vertical tab, form feed and carriage return (which are whitespace) are refused: a corpus is
     * text, and a model that learns U+0000 or an escape code writes them back to terminals.
     */
    static String decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorpusException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CorpusException(file + ": cannot read: " + e.getMessage(), e);
        }
        String utf16 = utf16(bytes);
        if (utf16 != null) {
            throw new CorpusException(file + ": looks like " + utf16 + ", not UTF-8; convert it to UTF-8, e.g. iconv"
                    + " -f UTF-16 -t UTF-8 FILE > FILE.new && mv FILE.new FILE");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new CorpusException(String.format(
                    "%s: not valid UTF-8 at byte offset %d (byte 0x%02X); convert it"
                            + " to UTF-8 from its encoding, e.g. for Windows-1252 or Latin-1: iconv -f WINDOWS-1252 -t UTF-8"
                            + " FILE > FILE.new && mv FILE.new FILE",
                    file, in.position(), bytes[in.position()] & 0xFF));
        }
        decoder.flush(out);
        out.flip();
        String s = out.toString();
        s = s.startsWith("\uFEFF") ? s.substring(1) : s;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && !(c >= '\t' && c <= '\r')) {
                throw new CorpusException(String.format(
                        "%s: control character %s at byte offset %d: a corpus is"
                                + " text (tab and line breaks are the only control characters allowed); remove it, or check"
                                + " the file's encoding",
                        file,
                        Vocabulary.describe(c),
                        s.substring(0, i).getBytes(StandardCharsets.UTF_8).length
                                + (bytes.length > 2 && (bytes[0] & 0xFF) == 0xEF ? 3 : 0)));
            }
        }
        return s;
    }

    /** @return "UTF-16LE" or "UTF-16BE" (with how it shows) if the bytes look like UTF-16; null otherwise */
    static String utf16(byte[] bytes) {
        if (bytes.length >= 2) {
            int b0 = bytes[0] & 0xFF;
            int b1 = bytes[1] & 0xFF;
            if (b0 == 0xFF && b1 == 0xFE) {
                return "UTF-16LE (it starts with the byte-order mark FF FE)";
            }
            if (b0 == 0xFE && b1 == 0xFF) {
                return "UTF-16BE (it starts with the byte-order mark FE FF)";
            }
        }
        // Without a mark: mostly-ASCII UTF-16 has a 0 in every other byte, which is valid (and wrong) UTF-8.
        int n = Math.min(bytes.length, 4096) & ~1;
        int zeroEven = 0;
        int zeroOdd = 0;
        for (int i = 0; i < n; i += 2) {
            zeroEven += bytes[i] == 0 ? 1 : 0;
            zeroOdd += bytes[i + 1] == 0 ? 1 : 0;
        }
        if (n >= 4 && zeroOdd * 4 >= n && zeroEven == 0) {
            return "UTF-16LE without a byte-order mark (every other byte is 0)";
        }
        if (n >= 4 && zeroEven * 4 >= n && zeroOdd == 0) {
            return "UTF-16BE without a byte-order mark (every other byte is 0)";
        }
        return null;
    }
}
