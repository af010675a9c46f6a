package dev.charlstm.cli;

import dev.charlstm.trainer.training.DeviceChoice;
import dev.charlstm.trainer.training.Preset;
import dev.charlstm.trainer.training.TrainingConfig;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Case-insensitive enum conversion with messages that list the valid values. */
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

/** Parses {@code --preset}. */
final class PresetConverter implements ITypeConverter<Preset> {
    @Override
    public Preset convert(String value) {
        return Converters.parse(Preset.class, value, "preset");
    }

    /** The preset names, for help. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.asList(Converters.names(Preset.class)).iterator();
        }
    }
}

/** Parses {@code --device}. */
final class DeviceConverter implements ITypeConverter<DeviceChoice> {
    @Override
    public DeviceChoice convert(String value) {
        return Converters.parse(DeviceChoice.class, value, "device");
    }
}

/** Parses {@code --schedule}. */
final class ScheduleConverter implements ITypeConverter<TrainingConfig.Schedule> {
    @Override
    public TrainingConfig.Schedule convert(String value) {
        return Converters.parse(TrainingConfig.Schedule.class, value, "schedule");
    }
}
