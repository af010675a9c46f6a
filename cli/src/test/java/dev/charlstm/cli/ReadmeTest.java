package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What the README quotes still holds where it is cheap to check: every concrete {@code ./charlstm} command in its
 * code blocks parses (options and values as the CLI has them now), and the quoted example text is what its command
 * writes with the default model.
 */
class ReadmeTest {

    private static final Path README = Path.of("../README.md");

    @Test
    void everyConcreteCommandInTheReadmeParses() throws IOException {
        List<String> checked = new ArrayList<>();
        for (String line : Files.readAllLines(README)) {
            int at = line.indexOf("./charlstm ");
            if (!line.startsWith("    ") || at < 0) {
                continue;
            }
            String command = withoutComment(line.substring(at + "./charlstm ".length()));
            if (command.contains("[") || command.contains("|") || command.contains("$")) {
                continue; // a synopsis with placeholders, or shell substitution: not one concrete command
            }
            List<String> args = split(command);
            try {
                Main.commandLine().parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("README: ./charlstm " + command + " does not parse: " + e.getMessage(), e);
            }
            checked.add(command);
        }
        assertTrue(checked.size() >= 10, "the README's commands were found: " + checked);
    }

    @Test
    void theQuotedExampleIsWhatItsCommandWrites() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int example = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("For example (the default model; `ReadmeTest`")) {
                example = i;
                break;
            }
        }
        assertTrue(example >= 0, "the README's example paragraph");
        String command = lines.get(example + 2).strip();
        assertTrue(command.startsWith("./charlstm generate "), command);
        StringBuilder quote = new StringBuilder();
        for (int i = example + 4; i < lines.size() && lines.get(i).startsWith("> "); i++) {
            quote.append(quote.length() == 0 ? "" : " ").append(lines.get(i).substring(2));
        }
        Cli.Result r = Cli.run(split(command.substring("./charlstm ".length())).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        // The first 100 characters: further on, a CPU whose sigmoid and tanh kernels round differently by one unit
        // in the last place could in principle tip a sample; the whole quote is checked on this project's machines
        String expected = quote.toString();
        String got = r.out().strip();
        assertEquals(expected.substring(0, 100), got.substring(0, Math.min(100, got.length())));
        assertEquals(expected.length(), got.length(), "the quote is the whole output");
    }

    @Test
    void theQuotedNamesAreWhatTheNamesCommandWrites() throws IOException {
        List<String> lines = Files.readAllLines(README);
        String command = null;
        String quote = null;
        for (int i = 0; i < lines.size(); i++) {
            if (command == null && lines.get(i).startsWith("    ./charlstm generate --model models/names --items 10")) {
                command = lines.get(i).strip();
            }
            if (command != null && lines.get(i).startsWith("The first writes ten new names")) {
                quote = lines.get(i + 2).substring(2);
                break;
            }
        }
        assertTrue(command != null && quote != null, "the README's names example");
        // the tests run in cli/: the README's paths are from the repository's root
        Cli.Result r = Cli.run(split(command.substring("./charlstm ".length())).stream()
                .map(a -> a.equals("models/names") ? "../models/names" : a)
                .toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<String> names = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            assertTrue(line.endsWith("\tnew"), line);
            names.add(line.substring(0, line.indexOf('\t')));
        }
        assertEquals(quote, String.join(", ", names));
    }

    private static String withoutComment(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return s.substring(0, i).strip();
            }
        }
        return s.strip();
    }

    /** Splits a command line as a shell would for these commands: spaces, and double or single quotes. */
    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                any = true;
            } else if (c == ' ') {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                }
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
