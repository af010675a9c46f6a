package dev.charlstm.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.internal.LegacyTraining;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    private static TrainingConfig throughJson(TrainingConfig c) {
        String text = JsonFields.toJson(c.toSections()).toString();
        return TrainingConfig.fromSections(
                JsonFields.root(JsonParser.parseString(text).getAsJsonObject()).toMap());
    }

    @Test
    void everyPresetSurvivesJsonExactlyWithIntegersAsIntegers() {
        for (Preset p : Preset.values()) {
            assertEquals(p.config(), throughJson(p.config()), p.toString());
        }
        String cpu = JsonFields.toJson(Preset.CPU.config().toSections()).toString();
        assertTrue(
                cpu.contains("\"batch_size\":32,")
                        && cpu.contains("\"learning_rate\":0.005,")
                        && cpu.contains("\"kind\":\"cosine\""),
                cpu);
    }

    @Test
    void theTableNamesEachHyperParameterOnceAndThePresetsAreItsData() {
        Set<String> keys = new HashSet<>();
        Set<String> options = new HashSet<>();
        for (Hyperparameter<?> p : TrainingConfig.ALL) {
            assertTrue(keys.add(p.key()), p.key());
            assertTrue(options.add(p.option()), p.option());
            assertEquals(p.defaultValue(), p.valueIn(Preset.SEED.config()), "seed is the defaults: " + p);
        }
        assertEquals(2, Preset.CPU.config().model().layers());
        assertEquals(
                TrainingConfig.ScheduleKind.COSINE,
                Preset.CPU.config().schedule().kind());
        assertEquals(0.2f, Preset.CPU.config().model().dropout());
    }

    @Test
    void badValuesAndUnknownKeysAreNamed() {
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class, () -> TrainingConfig.fromSections(Map.of("data", Map.of("seed", 3L))));
        assertEquals("model.embedding_size is missing", missing.getMessage(), "only keys added later may be absent");
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingConfig.fromSections(with("optimisation", "momentum", 0.9)));
        assertEquals("unknown hyper-parameter optimisation.momentum (a newer charlstm's?)", unknown.getMessage());
        IllegalArgumentException type = assertThrows(
                IllegalArgumentException.class, () -> TrainingConfig.fromSections(with("model", "layers", 2.5)));
        assertEquals("model.layers must be an integer, got 2.5", type.getMessage());
        Hyperparameter.Invalid range = assertThrows(
                Hyperparameter.Invalid.class,
                () -> TrainingConfig.fromSections(with("data", "validation_fraction", 1.0)));
        assertEquals(TrainingConfig.VALIDATION_FRACTION, range.hyperparameter());
        assertEquals("validation fraction must be in (0, 1), got 1.0", range.getMessage());
        for (Object huge : new Object[] {1e19, Double.POSITIVE_INFINITY, "7"}) {
            IllegalArgumentException h = assertThrows(
                    IllegalArgumentException.class, () -> TrainingConfig.fromSections(with("data", "seed", huge)));
            assertTrue(h.getMessage().startsWith("data.seed must be an integer, got "), h.getMessage());
        }
        Hyperparameter.Invalid infinite = assertThrows(
                Hyperparameter.Invalid.class,
                () -> Preset.TINY
                        .builder()
                        .set(TrainingConfig.GRAD_CLIP, Float.POSITIVE_INFINITY)
                        .build());
        assertEquals("gradient clip norm must be a finite number, got Infinity", infinite.getMessage());
        TrainingConfig t = Preset.TINY.config();
        Hyperparameter.Invalid direct = assertThrows(
                Hyperparameter.Invalid.class,
                () -> new TrainingConfig(
                        t.model(),
                        new TrainingConfig.Data(-1, 32, 0.1, 0),
                        t.optimisation(),
                        t.schedule(),
                        t.evaluation()));
        assertEquals("batch size must be positive, got -1", direct.getMessage(), "the same rules, however it is made");
        Hyperparameter.Invalid batch = assertThrows(
                Hyperparameter.Invalid.class,
                () -> Preset.TINY
                        .builder()
                        .set(TrainingConfig.BATCH_SIZE, Integer.MAX_VALUE)
                        .build());
        assertEquals(TrainingConfig.BATCH_SIZE, batch.hyperparameter(), batch.getMessage());
    }

    /** The tiny preset's sections with one value replaced. */
    private static Map<String, Map<String, Object>> with(String section, String field, Object value) {
        Map<String, Map<String, Object>> s = Preset.TINY.config().toSections();
        s.get(section).put(field, value);
        return s;
    }

    @Test
    void theVersion1FlatFormReadsIntoTheSameConfiguration() {
        // As Gson's reflection wrote TrainingConfig into version 1 manifests: camelCase, integers as decimals.
        Map<String, Object> flat =
                JsonFields.root(JsonParser.parseString("""
                {"embeddingSize": 128.0, "hiddenSize": 256.0, "layers": 2.0, "dropout": 0.2, "batchSize": 32.0,
                 "seqLen": 128.0, "iterations": 9000.0, "evalInterval": 500.0, "learningRate": 0.005,
                 "weightDecay": 0.01, "gradClip": 5.0, "schedule": "COSINE", "warmupIterations": 0.0,
                 "finalLearningRateFraction": 0.1, "validationFraction": 0.1, "seed": 0.0, "samplePrompt": "The ",
                 "sampleLength": 200.0}""").getAsJsonObject()).toMap();
        assertEquals(Preset.CPU.config(), TrainingConfig.fromSections(LegacyTraining.sections(flat, "config.")));
    }
}
