package dev.charlstm.cli;

import dev.charlstm.runtime.ExecutionProvider;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --device} for generation. */
final class ProviderConverter implements ITypeConverter<ExecutionProvider> {
    @Override
    public ExecutionProvider convert(String value) {
        return Converters.parse(ExecutionProvider.class, value, "device");
    }
}
