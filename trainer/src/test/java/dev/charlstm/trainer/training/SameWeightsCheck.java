package dev.charlstm.trainer.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.BatchSampler;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import dev.charlstm.trainer.run.TrainingRun;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The same-weights comparison with the tutorial's PyTorch loop (not run in CI): dumps our initial parameters, the
 * exact batches of the first N iterations and our per-iteration training losses, for {@code tools/same_weights.py}
 * to replay in PyTorch from the same weights on the same batches. See docs/training.md.
 *
 * <pre>
 * mvn -B -q -o install -DskipTests
 * mvn -B -o -pl trainer test -Dtest=SameWeightsCheck -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcharlstm.sameWeights.data=$PWD/data/moby-dick -Dcharlstm.sameWeights.out=/tmp/sw [-Dcharlstm.sameWeights.iterations=300]
 * $REFPY tools/same_weights.py /tmp/sw
 * </pre>
 *
 * <p>By default the recipe is the tutorial's (no clipping, constant rate, no warm-up); {@code
 * -Dcharlstm.sameWeights.gradClip=1 -Dcharlstm.sameWeights.schedule=cosine -Dcharlstm.sameWeights.warmup=100}
 * checks our clipping and schedule too: the learning rate of every iteration and the clip norm go into
 * {@code index.json}, and the script applies them with {@code torch.nn.utils.clip_grad_norm_} and the optimiser's
 * {@code lr}.
 */
@EnabledIfSystemProperty(named = "charlstm.sameWeights.data", matches = ".+")
class SameWeightsCheck {

    /** The engine, started once for every run of this class. */
    private static final Engine ENGINE = TorchEngine.start(0);

    @Test
    void dump() throws IOException {
        Path out =
                Files.createDirectories(Path.of(System.getProperty("charlstm.sameWeights.out", "/tmp/same-weights")));
        int iterations = Integer.getInteger("charlstm.sameWeights.iterations", 300);
        TorchEngine.start(1); // one thread: float sums in a fixed order, as in the reference at one thread
        Corpus corpus =
                new CorpusReader(TextCleaning.DEFAULT).read(Path.of(System.getProperty("charlstm.sameWeights.data")));
        // The tutorial's loop at the cpu preset's shape unless asked otherwise: lr 0.003, no clipping, constant rate,
        // no warm-up; never dropout (its random masks cannot be replayed).
        TrainingConfig config = Preset.CPU
                .builder()
                .set(TrainingConfig.DROPOUT, 0f)
                .set(
                        TrainingConfig.LEARNING_RATE,
                        Float.parseFloat(System.getProperty("charlstm.sameWeights.lr", "0.003")))
                .set(
                        TrainingConfig.GRAD_CLIP,
                        Float.parseFloat(System.getProperty("charlstm.sameWeights.gradClip", "0")))
                .set(
                        TrainingConfig.SCHEDULE,
                        TrainingConfig.ScheduleKind.valueOf(
                                System.getProperty("charlstm.sameWeights.schedule", "constant")
                                        .toUpperCase(Locale.ROOT)))
                .set(TrainingConfig.WARMUP, Integer.getInteger("charlstm.sameWeights.warmup", 0))
                .set(TrainingConfig.ITERATIONS, iterations)
                .set(TrainingConfig.EVAL_INTERVAL, iterations)
                .set(TrainingConfig.SAMPLE_LENGTH, 0)
                .build();
        Path runDir = Files.createTempDirectory("same-weights-run");
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config, runDir, Device.cpu())) {
            JsonObject index = new JsonObject();
            JsonArray params = new JsonArray();
            long offset = 0;
            try (OutputStream o = Files.newOutputStream(out.resolve("params.bin"))) {
                for (Pair<String, Parameter> p : run.trainer().model().getParameters()) {
                    float[] v = p.getValue().getArray().toFloatArray();
                    JsonObject e = new JsonObject();
                    e.addProperty("name", p.getKey());
                    JsonArray shape = new JsonArray();
                    for (long d : p.getValue().getArray().getShape().getShape()) {
                        shape.add(d);
                    }
                    e.add("shape", shape);
                    e.addProperty("offset", offset);
                    params.add(e);
                    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    o.write(b.array());
                    offset += v.length;
                }
            }
            index.add("parameters", params);
            index.addProperty("vocab_size", run.trainer().vocabulary().size());
            index.addProperty("batch", config.data().batchSize());
            index.addProperty("seq", config.data().seqLen());
            index.addProperty("iterations", iterations);
            index.addProperty("lr", config.optimisation().learningRate());
            index.addProperty("weight_decay", config.optimisation().weightDecay());
            index.addProperty("grad_clip", config.optimisation().gradClip());
            LearningRateSchedule schedule = new LearningRateSchedule(config);
            JsonArray rates = new JsonArray();
            for (int k = 0; k < iterations; k++) {
                rates.add(schedule.at(k));
            }
            index.add("learning_rates", rates);
            BatchSampler sampler = new BatchSampler(
                    corpus.split(config.data().validationFraction()).train(),
                    config.data().batchSize(),
                    config.data().seqLen(),
                    config.data().seed());
            try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(out.resolve("batches.bin")))) {
                ByteBuffer b = ByteBuffer.allocate(
                                config.data().batchSize() * config.data().seqLen() * 4)
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < iterations; k++) {
                    sampler.batch(k);
                    for (int[] part : new int[][] {sampler.inputs(), sampler.targets()}) {
                        b.clear();
                        b.asIntBuffer().put(part);
                        o.write(b.array());
                    }
                }
            }
            JsonArray losses = new JsonArray();
            run.train(new TrainingListener() {
                @Override
                public void onIteration(int iteration, float loss, double charsPerSecond) {
                    losses.add(loss);
                }
            });
            index.add("charlstm_losses", losses);
            Files.writeString(
                    out.resolve("index.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(index));
        }
    }
}
