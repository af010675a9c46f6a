package dev.charlstm.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.TypeConversionException;

/** Case-insensitive enum conversion with messages that list the valid values. Stateless and thread-safe. */
final class Converters {
    private Converters() {}

    static <E extends Enum<E>> E parse(Class<E> type, String value, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new TypeConversionException("unknown " + what + " '" + value + "'; valid: "
                + String.join(", ", names(type)));
    }

    static <E extends Enum<E>> String[] names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .toArray(String[]::new);
    }
}
