package dev.charlstm.cli;

import dev.charlstm.trainer.training.Preset;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine.ITypeConverter;

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
