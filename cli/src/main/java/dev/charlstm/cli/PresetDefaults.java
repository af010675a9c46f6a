package dev.charlstm.cli;

import dev.charlstm.trainer.training.Preset;
import dev.charlstm.trainer.training.TrainingConfig;
import java.util.Locale;
import java.util.function.Function;

/**
 * Publishes each preset's values as system properties ({@code charlstm.preset.NAME}) so that option
 * descriptions can show them with picocli's {@code ${sys:...}} variables and never drift from the presets.
 */
final class PresetDefaults {

    private PresetDefaults() {}

    static void publish() {
        put("embedding", TrainingConfig::embeddingSize);
        put("hidden", TrainingConfig::hiddenSize);
        put("layers", TrainingConfig::layers);
        put("dropout", TrainingConfig::dropout);
        put("batch", TrainingConfig::batchSize);
        put("seqLen", TrainingConfig::seqLen);
        put("iterations", TrainingConfig::iterations);
        put("evalInterval", TrainingConfig::evalInterval);
        put("lr", TrainingConfig::learningRate);
        put("weightDecay", TrainingConfig::weightDecay);
        put("gradClip", TrainingConfig::gradClip);
        put("schedule", c -> c.schedule().name().toLowerCase(Locale.ROOT));
        put("warmup", TrainingConfig::warmupIterations);
        put("finalLr", TrainingConfig::finalLearningRateFraction);
        put("valFraction", TrainingConfig::validationFraction);
        put("seed", TrainingConfig::seed);
        put("prompt", c -> '"' + c.samplePrompt() + '"');
        put("sampleLength", TrainingConfig::sampleLength);
    }

    private static void put(String name, Function<TrainingConfig, Object> value) {
        StringBuilder sb = new StringBuilder();
        for (Preset p : Preset.values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p.name().toLowerCase(Locale.ROOT)).append(' ').append(value.apply(p.builder().build()));
        }
        System.setProperty("charlstm.preset." + name, sb.toString());
    }
}
