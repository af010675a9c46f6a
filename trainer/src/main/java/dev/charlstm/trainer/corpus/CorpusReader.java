package dev.charlstm.trainer.corpus;

import dev.charlstm.runtime.internal.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a corpus: a single text file, or every {@code *.txt} file under a folder (recursively, sorted by relative
 * path so the result does not depend on the file system), decoded as strict UTF-8 and cleaned.
 *
 * <p>Thread-safe: it holds only its options.
 */
public final class CorpusReader {

    private final CleaningOptions options;
    private final TextCleaner cleaner;

    /** @param options how to clean the text */
    public CorpusReader(CleaningOptions options) {
        this.options = options;
        this.cleaner = new TextCleaner(options);
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
        for (Path file : files) {
            String cleaned = cleaner.clean(decode(file));
            if (cleaned.isEmpty()) {
                continue;
            }
            if (text.length() > 0) {
                text.append(options.keepNewlines() ? '\n' : ' ');
            }
            text.append(cleaned);
        }
        if (text.length() == 0) {
            throw new CorpusException(source + ": no text is left after cleaning (" + files.size() + " file"
                    + (files.size() == 1 ? "" : "s") + " read, " + options + ")");
        }
        String s = text.toString();
        return new Corpus(source, files, options, s.codePoints().toArray(), Sha256.hex(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Path> listFiles(Path source) {
        if (!Files.exists(source)) {
            throw new CorpusException(source + ": no such file or folder");
        }
        if (Files.isRegularFile(source)) {
            return List.of(source);
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(source)) {
            all = walk.filter(Files::isRegularFile).collect(Collectors.toList());
        } catch (IOException e) {
            throw new CorpusException(source + ": cannot list the folder: " + e.getMessage(), e);
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
        texts.sort((a, b) -> source.relativize(a).toString().replace('\\', '/')
                .compareTo(source.relativize(b).toString().replace('\\', '/')));
        return texts;
    }

    /** Strict UTF-8: the first undecodable byte sequence fails with the file and its byte offset. */
    static String decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorpusException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CorpusException(file + ": cannot read: " + e.getMessage(), e);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new CorpusException(String.format("%s: not valid UTF-8 at byte offset %d (byte 0x%02X)",
                    file, in.position(), bytes[in.position()] & 0xFF));
        }
        decoder.flush(out);
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
