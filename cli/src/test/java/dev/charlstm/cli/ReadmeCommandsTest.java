package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every concrete {@code ./charlstm ...} command in the README parses as written (.ci/run runs the demo one). */
class ReadmeCommandsTest {

    private static final Pattern COMMAND = Pattern.compile("\\./charlstm ([^#]*)");
    private static final Pattern ARG = Pattern.compile("\"([^\"]*)\"|(\\S+)");

    static List<List<String>> commands() throws IOException {
        List<List<String>> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
            if (!line.startsWith("    ") || line.contains("[")) {
                continue; // only indented code lines; a line with [OPTIONS] is a synopsis, not a command
            }
            Matcher m = COMMAND.matcher(line);
            while (m.find()) {
                List<String> args = new ArrayList<>();
                Matcher a = ARG.matcher(m.group(1).split("&&")[0].trim());
                while (a.find()) {
                    args.add(a.group(1) != null ? a.group(1) : a.group(2));
                }
                out.add(args);
            }
        }
        return out;
    }

    @Test
    void everyReadmeCommandParses() throws IOException {
        List<List<String>> commands = commands();
        assertTrue(commands.size() >= 5, "found " + commands);
        for (List<String> args : commands) {
            CommandLine cli = Main.commandLine();
            try {
                cli.parseArgs(args.toArray(new String[0]));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError(
                        "README command `./charlstm " + String.join(" ", args) + "`: " + e.getMessage(), e);
            }
        }
        assertFalse(commands.stream().noneMatch(c -> c.get(0).equals("generate")), "the demo command is there");
    }
}
