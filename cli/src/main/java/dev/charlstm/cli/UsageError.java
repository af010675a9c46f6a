package dev.charlstm.cli;

import java.util.function.Supplier;

/**
 * A value on the command line that parses but is not allowed (a negative length, a top-p above 1, a missing
 * option): exit code 2 with a one-line message, like picocli's own usage errors but without the whole usage text.
 * Immutable.
 */
final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message);
    }

    /** Runs a check that reports a bad value as an {@link IllegalArgumentException}, as a usage error. */
    static <T> T check(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }
}
