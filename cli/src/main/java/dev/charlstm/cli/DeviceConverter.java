package dev.charlstm.cli;

import dev.charlstm.trainer.training.DeviceChoice;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --device}. */
final class DeviceConverter implements ITypeConverter<DeviceChoice> {
    @Override
    public DeviceChoice convert(String value) {
        return Converters.parse(DeviceChoice.class, value, "device");
    }
}
