package dev.charlstm.trainer.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.BatchSampler;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusException;
import dev.charlstm.trainer.corpus.Split;
import dev.charlstm.trainer.model.CharLstm;
import dev.charlstm.trainer.run.TrainingRun;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, and only that: the tutorial's step (a random batch of windows, cross-entropy over every
 * position with teacher forcing, backward, AdamW), plus global-norm gradient clipping and a learning-rate schedule
 * when configured. Every {@code evaluation.interval} iterations (and at the last) it measures the validation loss
 * and hands an {@link ValidationReport} to its listeners; whatever is written to disk, printed or sampled is theirs to do
 * ({@link TrainingRun} puts one in a run folder with its standard listeners).
 *
 * <p>The engine is the caller's: started once ({@link TorchEngine#start}) before any trainer. Holds native memory:
 * close it. Not thread-safe; one trainer trains on one thread at a time.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Corpus corpus;
    private final TrainingConfig config;
    private final Split split;
    private final Device device;
    private final Engine engine;
    private final NDManager manager;
    private final CharLstm model;
    private final ParameterList parameters;
    private final ParameterStore store;
    private final StatefulAdamW optimizer;
    private final BatchSampler sampler;
    private final LearningRateSchedule schedule;
    private int iteration;
    /** The characters the last {@link #step} trained on (a list's batches vary). */
    private long lastStepCharacters;
    /** Whether the last {@link #step} scaled its gradients down to the clip norm. */
    private boolean lastStepClipped;

    private double bestValLoss = Double.POSITIVE_INFINITY;
    private int bestIteration = -1;
    private double elapsedBefore;
    private final String resumeNote;

    private Trainer(
            Engine engine,
            Device device,
            Corpus corpus,
            TrainingConfig config,
            Vocabulary vocab,
            Checkpoint resumeFrom) {
        this.corpus = corpus;
        this.config = config;
        this.split = corpus.split(
                config.data().validationFraction(), vocab, config.data().seed());
        split.requireWindows(config.data().seqLen(), corpus.source());
        this.device = device;
        this.engine = engine;
        this.schedule = new LearningRateSchedule(config);
        this.sampler = split.lines()
                ? BatchSampler.items(
                        split.train(),
                        split.trainItems(),
                        config.data().batchSize(),
                        config.data().seqLen(),
                        config.data().seed())
                : new BatchSampler(
                        split.train(),
                        config.data().batchSize(),
                        config.data().seqLen(),
                        config.data().seed());
        long seed = config.data().seed();
        engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
        NDManager m = NDManager.newBaseManager(device, engine.getEngineName());
        StatefulAdamW opt = null;
        try {
            model = new CharLstm(config.shape(vocab.size()));
            model.initialize(m);
            parameters = model.getParameters();
            store = new ParameterStore(m, false);
            opt = new StatefulAdamW(m, config.optimisation().weightDecay());
            if (resumeFrom != null) {
                resumeFrom.loadParameters(model, m);
                // Loaded arrays replace the initialised ones and do not carry requires-grad over.
                parameters.forEach(p -> p.getValue().getArray().setRequiresGradient(true));
                StatefulAdamW o = opt;
                resumeFrom.loadOptimizer(in -> o.load(in, parameters));
                CheckpointMetadata meta = resumeFrom.metadata();
                iteration = meta.iteration();
                bestValLoss = meta.metrics().bestValLoss();
                bestIteration = meta.metrics().bestIteration();
                elapsedBefore = meta.metrics().elapsedSeconds();
                resumeNote = "resumed at iteration " + iteration + " with AdamW moments restored (step " + opt.step()
                        + "); batches continue the same seeded sequence";
            } else {
                resumeNote = null;
            }
        } catch (RuntimeException e) {
            if (opt != null) {
                opt.close();
            }
            m.close();
            throw e;
        }
        this.optimizer = opt;
        this.manager = m;
    }

    /**
     * A new model, initialised from the configuration's seed.
     *
     * @param engine the PyTorch engine, already started
     * @param device where to train
     * @param corpus the training text
     * @param config the configuration
     * @return the trainer, at iteration 0
     * @throws CorpusException if the corpus is too short for the configuration's window
     */
    public static Trainer create(Engine engine, Device device, Corpus corpus, TrainingConfig config) {
        return new Trainer(engine, device, corpus, config, corpus.vocabulary(), null);
    }

    /**
     * Continues from a checkpoint: its parameters, AdamW moments, iteration and place in the batch sequence.
     *
     * @param engine the PyTorch engine, already started
     * @param device where to train
     * @param corpus the training text, cleaned with the checkpoint's cleaning options; its vocabulary must equal the
     *     checkpoint's
     * @param checkpoint the state to continue from
     * @param iterations a new target iteration count, or null to keep the checkpoint's
     * @return the trainer
     * @throws CorpusException if the corpus's vocabulary differs from the checkpoint's, naming the first difference
     */
    public static Trainer resume(
            Engine engine, Device device, Corpus corpus, Checkpoint checkpoint, Integer iterations) {
        CheckpointMetadata meta = checkpoint.metadata();
        Vocabulary saved = checkpoint.vocabulary();
        if (!saved.equals(corpus.vocabulary())) {
            throw new CorpusException(corpus.source() + ": the corpus vocabulary does not match the checkpoint "
                    + checkpoint.source() + ": "
                    + vocabularyDifference(saved, corpus.vocabulary()));
        }
        if (meta.corpus() != null && !corpus.sha256().equals(meta.corpus().sha256())) {
            LOG.warn(
                    "the corpus differs from the one the run started on (SHA-256 {} vs {}); same vocabulary,"
                            + " so training continues",
                    corpus.sha256(),
                    meta.corpus().sha256());
        }
        TrainingConfig config = iterations == null
                ? meta.config()
                : meta.config().toBuilder()
                        .set(TrainingConfig.ITERATIONS, iterations)
                        .build();
        return new Trainer(engine, device, corpus, config, saved, checkpoint);
    }

    static String vocabularyDifference(Vocabulary saved, Vocabulary now) {
        for (int cp : now.codePoints()) {
            if (!saved.contains(cp)) {
                return "the corpus has " + Vocabulary.describe(cp) + ", which the checkpoint's vocabulary (V="
                        + saved.size() + ") lacks";
            }
        }
        for (int cp : saved.codePoints()) {
            if (!now.contains(cp)) {
                return "the checkpoint's vocabulary has " + Vocabulary.describe(cp) + ", which the corpus (V="
                        + now.size() + ") lacks";
            }
        }
        return "they differ";
    }

    /** @return the configuration in force (a resumed run's, with any new iteration target) */
    public TrainingConfig config() {
        return config;
    }

    /** @return the completed iterations */
    public int iteration() {
        return iteration;
    }

    /** @return whether the corpus is a list, one item per line, trained item by item */
    public boolean lines() {
        return split.lines();
    }

    /** @return the model being trained */
    public CharLstm model() {
        return model;
    }

    /** @return the vocabulary */
    public Vocabulary vocabulary() {
        return split.vocabulary();
    }

    /** @return one line: corpus, model, parameter count, configuration, device */
    public String description() {
        String list = split.lines()
                ? (split.trainItems().length - 1) + " training and " + (split.validationItems().length - 1)
                        + " held-out items, longest " + split.items().maxLength() + ", "
                : "";
        return corpus.source() + " (" + corpus.length() + " characters, " + list
                + corpus.files().size() + " file"
                + (corpus.files().size() == 1 ? "" : "s") + ", V="
                + vocabulary().size() + "); model " + model.shape()
                + " (" + model.shape().parameterCount() + " parameters); " + config.settings() + "; on " + device;
    }

    /**
     * Trains up to the configured iteration count.
     *
     * @param listeners receive the events, in this order
     * @return how the loop ended
     * @throws TrainingDivergedException if the loss becomes NaN, infinite or far above ln(V)
     */
    public TrainingResult train(List<? extends TrainingListener> listeners) {
        LOG.debug("training {}", description());
        if (resumeNote != null) {
            LOG.info(resumeNote);
        }
        listeners.forEach(l -> l.onStart(this));

        long sessionStart = System.nanoTime();
        long trainingNanos = 0;
        long windowNanos = 0;
        long windowChars = 0;
        double windowLossSum = 0;
        int windowSteps = 0;
        int windowClipped = 0;
        double lastValLoss = Double.NaN;
        long sessionChars = 0;
        int target = config.schedule().iterations();
        while (iteration < target) {
            long t0 = System.nanoTime();
            float lr = schedule.at(iteration);
            float loss = step(lr);
            long dt = System.nanoTime() - t0;
            if (!Float.isFinite(loss) || loss > divergedLoss()) {
                throw new TrainingDivergedException(
                        "the training loss became " + loss + " at iteration " + (iteration + 1) + " (learning rate "
                                + lr + "): training diverged",
                        null,
                        "start a new run with a lower --lr (e.g. "
                                + config.optimisation().learningRate() / 10 + ")"
                                + (config.optimisation().gradClip() > 0 ? "" : " and --grad-clip 1")
                                + " and another --out");
            }
            iteration++;
            trainingNanos += dt;
            windowNanos += dt;
            windowChars += lastStepCharacters;
            sessionChars += lastStepCharacters;
            windowLossSum += loss;
            windowSteps++;
            windowClipped += lastStepClipped ? 1 : 0;
            double charsPerSecond = windowChars / (windowNanos / 1e9);
            for (TrainingListener l : listeners) {
                l.onIteration(iteration, loss, charsPerSecond);
            }
            if (iteration % config.evaluation().interval() == 0 || iteration == target) {
                double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
                ValidationReport e =
                        evaluate(windowLossSum / windowSteps, charsPerSecond, lr, elapsed, windowClipped, windowSteps);
                lastValLoss = e.valLoss();
                for (TrainingListener l : listeners) {
                    l.onEvaluation(e, this);
                }
                windowNanos = 0;
                windowChars = 0;
                windowLossSum = 0;
                windowSteps = 0;
                windowClipped = 0;
            }
        }
        double rate = trainingNanos == 0 ? 0 : sessionChars / (trainingNanos / 1e9);
        TrainingResult result = new TrainingResult(iteration, lastValLoss, bestValLoss, bestIteration, rate);
        listeners.forEach(l -> l.onEnd(result));
        return result;
    }

    /**
     * A loss that says the run has diverged even while finite: far above ln(V), the loss of a uniform guess, which
     * any run starts near. Without this a run writes checkpoints with losses like 1e18.
     */
    private double divergedLoss() {
        return Math.max(100, 20 * Math.log(vocabulary().size()));
    }

    /** One optimisation step on batch {@code iteration}; returns its loss. */
    private float step(float learningRate) {
        sampler.batch(iteration);
        float loss;
        // Every array of the step lives in this sub-manager and is freed with it; otherwise native memory grows.
        try (NDManager stepManager = manager.newSubManager();
                GradientCollector collector = engine.newGradientCollector()) {
            int rows = config.data().batchSize();
            int steps = sampler.steps();
            Shape shape = new Shape(rows, steps);
            int size = rows * steps;
            int[] in = sampler.inputs();
            int[] out = sampler.targets();
            NDArray inputs = stepManager.create(in.length == size ? in : Arrays.copyOf(in, size), shape);
            NDArray targets = stepManager.create(out.length == size ? out : Arrays.copyOf(out, size), shape);
            NDArray logits = model.forward(store, new NDList(inputs), true).head();
            NDArray lossArray;
            if (split.lines()) {
                lossArray = Losses.training(logits, targets, config.optimisation(), true);
                long real = 0;
                for (int i = 0; i < size; i++) {
                    real += out[i] == BatchSampler.PAD ? 0 : 1;
                }
                lastStepCharacters = real;
            } else {
                lossArray = Losses.training(logits, targets, config.optimisation(), false);
                lastStepCharacters = size;
            }
            collector.backward(lossArray);
            loss = lossArray.getFloat();
        }
        float scale = 1f;
        lastStepClipped = false;
        float clip = config.optimisation().gradClip();
        if (clip > 0) {
            double norm = StatefulAdamW.gradientNorm(parameters);
            if (norm > clip) {
                scale = (float) (clip / (norm + 1e-6));
                lastStepClipped = true;
            }
        }
        optimizer.update(parameters, learningRate, scale);
        return loss;
    }

    private ValidationReport evaluate(
            double trainLoss, double charsPerSecond, float lr, double elapsed, int clippedSteps, int steps) {
        double valLoss;
        try (NDManager evalManager = manager.newSubManager()) {
            valLoss = split.lines()
                    ? Validator.itemLoss(model, store, evalManager, split.validation(), split.validationItems())
                    : Validator.loss(
                            model,
                            store,
                            evalManager,
                            split.validation(),
                            config.data().seqLen());
        }
        boolean best = valLoss < bestValLoss;
        if (best) {
            bestValLoss = valLoss;
            bestIteration = iteration;
        }
        return new ValidationReport(
                iteration,
                config.schedule().iterations(),
                trainLoss,
                valLoss,
                charsPerSecond,
                lr,
                elapsed,
                best,
                clippedSteps,
                steps);
    }

    /**
     * The state to resume from after {@code e}: parameters, AdamW moments, iteration, batch-sequence position,
     * configuration, corpus and losses.
     *
     * @param e the evaluation just made (at the current iteration)
     * @return the checkpoint, in memory
     */
    public Checkpoint checkpoint(ValidationReport e) {
        CheckpointMetadata m = new CheckpointMetadata(
                iteration,
                config,
                corpus.cleaning(),
                vocabulary().codePoints(),
                // absolute: a run resumes from any working folder (a relative path would mean another file there)
                new CheckpointMetadata.CorpusInfo(
                        corpus.source().toAbsolutePath().normalize().toString(), corpus.sha256(), corpus.length()),
                new CheckpointMetadata.Metrics(
                        e.trainLoss(), e.valLoss(), bestValLoss, bestIteration, e.charsPerSecond(), e.elapsedSeconds()),
                new CheckpointMetadata.RngState(config.data().seed(), iteration),
                Instant.now().toString(),
                split.items());
        return Checkpoint.capture(m, model, optimizer::save);
    }

    /**
     * Samples a continuation from the model as it is now (dropout off), by the runtime's sampler.
     *
     * @param prompt the prompt; characters outside the vocabulary are skipped (none left: the first character)
     * @param length characters to generate
     * @param seed the sampling seed
     * @return the prompt as used, followed by the continuation; for a list, items one per line (each from the start
     *     state after the prompt, which starts with the end symbol; seeds {@code seed}, {@code seed + 1}, ...) up to
     *     {@code length} characters
     */
    public String sample(String prompt, int length, long seed) {
        try (NDManager m = manager.newSubManager()) {
            if (!split.lines()) {
                return SampleWriter.write(model, store, m, vocabulary(), prompt, length, seed);
            }
            // a list's sample is items, each from the start state as generate --items makes them, up to `length`
            // characters in all: one long stream would carry each item's state into the next
            int cap = 2 * split.items().maxLength() + 1;
            StringBuilder items = new StringBuilder();
            for (int k = 0; items.length() < length && k < length; k++) {
                String s = SampleWriter.write(model, store, m, vocabulary(), prompt, cap, seed + k)
                        .substring(1); // the end symbol the item starts after
                int end = s.indexOf('\n');
                items.append(items.length() == 0 ? "" : "\n").append(end < 0 ? s : s.substring(0, end));
            }
            return items.toString();
        }
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
