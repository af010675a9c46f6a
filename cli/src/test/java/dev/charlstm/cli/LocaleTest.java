package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Text in and out means the same in every locale, or the command line says what to do. Real JVMs, real locales. */
class LocaleTest {

    /** Runs the CLI in a fresh JVM under a locale; returns {exit code, stdout, stderr} (output decoded as UTF-8). */
    private static String[] runIn(String locale, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("LANG");
        pb.environment().remove("LC_CTYPE");
        pb.environment().put("LC_ALL", locale);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new String[] {
            String.valueOf(p.exitValue()),
            new String(out, StandardCharsets.UTF_8),
            new String(err, StandardCharsets.UTF_8)
        };
    }

    @Test
    void outputIsUtf8InAnyLocale() throws Exception {
        for (String locale : new String[] {"POSIX", "C", "C.UTF-8"}) {
            String[] r = runIn(locale, "info");
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("—"), locale + ": the em dash of the shipped vocabulary, not '?': " + r[1]);
        }
    }

    @Test
    void anUndecodableCommandLineIsAClearUsageErrorNotAWrongPrompt() throws Exception {
        String[] r = runIn("POSIX", "generate", "Ishmael—whale ", "--max-chars", "5");
        assertEquals(String.valueOf(Main.EXIT_USAGE), r[0]);
        assertEquals("", r[1]);
        assertTrue(r[2].contains("run charlstm in a UTF-8 locale, e.g. LC_ALL=C.UTF-8"), r[2]);
        assertFalse(r[2].contains("vocabulary"), "not mistaken for an unknown character: " + r[2]);
        assertEquals(1, r[2].strip().lines().count(), "one line: " + r[2]);

        String[] utf8 = runIn("C.UTF-8", "generate", "Ishmael—whale ", "--max-chars", "5");
        assertEquals("0", utf8[0], utf8[2]);
        assertTrue(utf8[1].startsWith("Ishmael—whale "), utf8[1]);
    }

    @Test
    void theCheckOnlyConcernsNonUtf8Locales() {
        assertNull(Main.undecodableArguments(new String[] {"a\uFFFDb"}, "UTF-8"), "a real U+FFFD in a UTF-8 locale");
        assertNull(Main.undecodableArguments(new String[] {"plain", "ascii"}, "ANSI_X3.4-1968"));
        assertTrue(Main.undecodableArguments(new String[] {"x", "d\uFFFD"}, "ANSI_X3.4-1968")
                .startsWith("argument 2"));
    }
}
