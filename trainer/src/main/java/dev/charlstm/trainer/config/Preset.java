package dev.charlstm.trainer.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Named starting points for a {@link TrainingConfig}, as data: each preset lists the hyper-parameters it sets
 * differently from the defaults (the tutorial's); any value can be overridden afterwards.
 *
 * <ul>
 *   <li>{@link #SEED}: the tutorial's exact configuration (hours on 2 CPU cores): the defaults.
 *   <li>{@link #CPU}: the recipe measured in {@code docs/training.md} ("The recipe, measured": a sweep over seeds,
 *       clipping, schedule, warm-up, learning rate, batch and dropout), under an hour on 2 CPU cores. Each choice is
 *       a measured row there: warm-up cost 0.05 nats and a decay 0.03 at 1000 iterations (the decay gains once the
 *       run is long enough), lr 0.005 gained 0.03 over the tutorial's 0.003, batch 64 learned less per character,
 *       dropout 0.2 costs early and gains over a whole run; clipping at norm 5 is a guard that never fired.
 *   <li>{@link #TINY}: a toy model that trains in seconds, for tests and smoke runs.
 * </ul>
 *
 * <p>Thread-safe.
 */
public enum Preset {
    /** E128 H256 L3, batch 128 × 300, 3000 iterations, AdamW lr 0.003, no clipping, no schedule. */
    SEED(""),
    /** E128 H256 L2 dropout 0.2, batch 32 × 128, 9000 iterations, lr 0.005 cosine to 0.1x, clip 5. */
    CPU("model.layers=2 model.dropout=0.2 data.batch_size=32 data.seq_len=128 schedule.iterations=9000"
            + " evaluation.interval=500 optimisation.learning_rate=0.005 optimisation.grad_clip=5"
            + " schedule.kind=cosine"),
    /** E16 H32 L1, batch 16 × 32, 300 iterations: seconds, for tests. */
    TINY("model.embedding_size=16 model.hidden_size=32 model.layers=1 data.batch_size=16 data.seq_len=32"
            + " schedule.iterations=300 evaluation.interval=100 optimisation.learning_rate=0.01"
            + " optimisation.grad_clip=1 evaluation.sample_length=60");

    @SuppressWarnings("ImmutableEnumChecker") // filled in the constructor, never changed after
    private final Map<String, String> overrides = new LinkedHashMap<>();

    @SuppressWarnings("ImmutableEnumChecker") // TrainingConfig is an immutable record
    private final TrainingConfig config;

    Preset(String overrides) {
        for (String kv : overrides.split(" ")) {
            if (!kv.isEmpty()) {
                this.overrides.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        this.config = builder().build(); // a preset that does not validate fails on first use, in every test
    }

    /** @return a builder holding this preset's values */
    public TrainingConfig.Builder builder() {
        TrainingConfig.Builder b = TrainingConfig.builder();
        overrides.forEach(b::set);
        return b;
    }

    /** @return this preset's configuration */
    public TrainingConfig config() {
        return config;
    }

    /** @return the lower-case name, as the CLI takes it */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
