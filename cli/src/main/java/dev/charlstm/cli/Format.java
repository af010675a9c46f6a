package dev.charlstm.cli;

/** Human-readable numbers for console output. Stateless and thread-safe. */
final class Format {
    private Format() {}

    /** @return e.g. {@code 6.5k} or {@code 812} */
    static String rate(double perSecond) {
        return perSecond >= 10_000 ? String.format("%.1fk", perSecond / 1000) : String.format("%.0f", perSecond);
    }

    /** @return e.g. {@code 1h02m03s}, {@code 2m10s}, {@code 9s} */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        }
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
