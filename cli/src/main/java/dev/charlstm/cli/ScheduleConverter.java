package dev.charlstm.cli;

import dev.charlstm.trainer.training.TrainingConfig;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --schedule}. */
final class ScheduleConverter implements ITypeConverter<TrainingConfig.Schedule> {
    @Override
    public TrainingConfig.Schedule convert(String value) {
        return Converters.parse(TrainingConfig.Schedule.class, value, "schedule");
    }
}
