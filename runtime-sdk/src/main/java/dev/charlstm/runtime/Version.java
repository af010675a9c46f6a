package dev.charlstm.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * charlstm's version, from the build (the {@code revision} of the project's pom, the one place it is written): the
 * artifacts', {@code charlstm --version}'s and the {@code producer} a package records. Stateless.
 */
public final class Version {

    /** The version, e.g. {@code 0.1.0}. */
    public static final String CURRENT = read();

    private Version() {}

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version");
            // unfiltered (an IDE compiling without Maven's resources step): say so rather than pretend
            return v == null || v.startsWith("$") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
