package dev.charlstm.cli;

import dev.charlstm.runtime.UnknownCharacterPolicy;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --unknown}. */
final class UnknownPolicyConverter implements ITypeConverter<UnknownCharacterPolicy> {
    @Override
    public UnknownCharacterPolicy convert(String value) {
        return Converters.parse(UnknownCharacterPolicy.class, value, "policy");
    }
}
