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
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.corpus.BatchSampler;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusException;
import dev.charlstm.trainer.corpus.Split;
import dev.charlstm.trainer.export.PackageExporter;
import dev.charlstm.trainer.model.CharLstm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run of a character LSTM on a corpus, writing checkpoints and metrics into its run folder:
 * {@code last.ckpt} (every evaluation), {@code best.ckpt} (lowest validation loss) and {@code metrics.jsonl}; when
 * training ends, {@code best.ckpt} is exported as the model package {@code model/} and the losses are drawn in
 * {@code loss.png}.
 *
 * <p>The loop is the tutorial's: a random batch of windows, cross-entropy over every position, backward, AdamW
 * step; plus global-norm gradient clipping and a learning-rate schedule when configured. Every
 * {@code evalInterval} iterations (and at the end) it measures validation loss, samples a continuation of the
 * prompt and writes a checkpoint.
 *
 * <p>Holds native memory: close it. Not thread-safe; one run trains on one thread at a time.
 */
public final class TrainingRun implements AutoCloseable {

    /** The checkpoint written at every evaluation. */
    public static final String LAST = "last.ckpt";
    /** The checkpoint with the lowest validation loss. */
    public static final String BEST = "best.ckpt";
    /** The metrics file, one JSON object per evaluation. */
    public static final String METRICS = "metrics.jsonl";
    /** The model package exported from {@link #BEST} when training ends. */
    public static final String PACKAGE = "model";

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final Path runDir;
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
    private final MetricsLog metrics;
    private int iteration;
    /** Whether the last {@link #step} scaled its gradients down to the clip norm. */
    private boolean lastStepClipped;
    private double bestValLoss = Double.POSITIVE_INFINITY;
    private int bestIteration = -1;
    private double elapsedBefore;
    private final String resumeNote;

    private TrainingRun(Path runDir, Corpus corpus, TrainingConfig config, Vocabulary vocab, Device device,
            Checkpoint resumeFrom) {
        this.runDir = runDir;
        this.corpus = corpus;
        this.config = config;
        this.split = corpus.split(config.validationFraction(), vocab);
        split.requireWindows(config.seqLen(), corpus.source());
        this.device = device;
        this.schedule = new LearningRateSchedule(config);
        this.metrics = new MetricsLog(runDir.resolve(METRICS));
        this.sampler = new BatchSampler(split.train(), config.batchSize(), config.seqLen(), config.seed());

        this.engine = TorchEngine.start(0); // offline, natives from the bundled jars
        engine.setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
        NDManager m = NDManager.newBaseManager(device, engine.getEngineName());
        StatefulAdamW opt = null;
        try {
            model = new CharLstm(config.modelConfig(vocab.size()));
            model.initialize(m);
            parameters = model.getParameters();
            store = new ParameterStore(m, false);
            opt = new StatefulAdamW(m, config.weightDecay());
            if (resumeFrom != null) {
                resumeFrom.loadParameters(model, m);
                // Loaded arrays replace the initialised ones and do not carry requires-grad over.
                parameters.forEach(p -> p.getValue().getArray().setRequiresGradient(true));
                StatefulAdamW o = opt;
                resumeFrom.loadOptimizer(in -> o.load(in, parameters));
                CheckpointMetadata meta = resumeFrom.metadata();
                iteration = meta.iteration;
                bestValLoss = meta.metrics.bestValLoss;
                bestIteration = meta.metrics.bestIteration;
                elapsedBefore = meta.metrics.elapsedSeconds;
                resumeNote = "resumed at iteration " + iteration + " with AdamW moments restored (step "
                        + opt.step() + "); batches continue the same seeded sequence";
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
     * Starts a new run.
     *
     * @param corpus the training text
     * @param config the configuration
     * @param runDir the run folder; created if missing; must not already hold a run
     * @param device where to train
     * @return the run, ready to {@link #train}
     * @throws CheckpointException if the folder already holds a run
     * @throws CorpusException if the corpus is too short for the configuration
     */
    public static TrainingRun start(Corpus corpus, TrainingConfig config, Path runDir, Device device) {
        RunDirectory.prepareNew(runDir);
        return new TrainingRun(runDir, corpus, config, corpus.vocabulary(), device, null);
    }

    /**
     * Continues a run from its {@code last.ckpt}.
     *
     * @param runDir the run folder
     * @param corpus the training text, cleaned with the checkpoint's cleaning options; its vocabulary must equal
     *     the checkpoint's
     * @param iterations a new target iteration count, or null to keep the checkpoint's
     * @param device where to train
     * @return the run, ready to {@link #train}
     * @throws CheckpointException if the checkpoint is missing or unreadable
     * @throws CorpusException if the corpus does not match the checkpoint's vocabulary
     */
    public static TrainingRun resume(Path runDir, Corpus corpus, Integer iterations, Device device) {
        Checkpoint ckpt = Checkpoint.read(runDir.resolve(LAST));
        CheckpointMetadata meta = ckpt.metadata();
        Vocabulary saved = ckpt.vocabulary();
        if (!saved.equals(corpus.vocabulary())) {
            throw new CorpusException(corpus.source() + ": the corpus vocabulary does not match the checkpoint "
                    + runDir.resolve(LAST) + ": " + vocabularyDifference(saved, corpus.vocabulary()));
        }
        if (meta.corpus != null && !corpus.sha256().equals(meta.corpus.sha256)) {
            LOG.warn("the corpus differs from the one the run started on (SHA-256 {} vs {}); same vocabulary,"
                    + " so training continues", corpus.sha256(), meta.corpus.sha256);
        }
        TrainingConfig config = iterations == null ? meta.config
                : meta.config.toBuilder().iterations(iterations).build();
        RunDirectory.repair(runDir, ckpt);
        if (config.iterations() <= meta.iteration) {
            LOG.warn("{} is already at iteration {} (target {}): nothing to train, the package is exported again;"
                    + " pass --iterations above {} to go further", runDir, meta.iteration, config.iterations(),
                    meta.iteration);
        }
        return new TrainingRun(runDir, corpus, config, saved, device, ckpt);
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

    /** @return the model being trained */
    public CharLstm model() {
        return model;
    }

    /** @return the vocabulary */
    public Vocabulary vocabulary() {
        return split.vocabulary();
    }

    /**
     * Trains up to the configured iteration count.
     *
     * @param listener receives progress
     * @return how the run ended
     * @throws TrainingDivergedException if the loss becomes NaN or infinite (the last checkpoint stays intact)
     */
    public TrainingResult train(TrainingListener listener) {
        String description = corpus.source() + " (" + corpus.length() + " characters, " + corpus.files().size()
                + " file" + (corpus.files().size() == 1 ? "" : "s") + ", V=" + vocabulary().size() + "); model "
                + model.config() + " (" + model.config().parameterCount() + " parameters); " + config + "; on "
                + device;
        LOG.debug("training {}", description);
        if (resumeNote != null) {
            LOG.info(resumeNote);
        }
        if (config.sampleLength() > 0 && !config.samplePrompt().codePoints().anyMatch(vocabulary()::contains)) {
            LOG.warn("no character of --prompt \"{}\" is in the corpus's vocabulary: the samples start from {} instead;"
                    + " give a --prompt in the corpus's characters", config.samplePrompt(),
                    dev.charlstm.runtime.Vocabulary.describe(vocabulary().codePoint(0)));
        }
        listener.onStart(description, iteration, config.iterations());

        long sessionStart = System.nanoTime();
        long trainingNanos = 0;
        long windowNanos = 0;
        long windowChars = 0;
        double windowLossSum = 0;
        int windowSteps = 0;
        int windowClipped = 0;
        double lastValLoss = Double.NaN;
        float lr = 0;
        long sessionChars = 0;
        while (iteration < config.iterations()) {
            long t0 = System.nanoTime();
            lr = schedule.at(iteration);
            float loss = step(lr);
            long dt = System.nanoTime() - t0;
            if (!Float.isFinite(loss) || loss > divergedLoss()) {
                throw new TrainingDivergedException(divergenceMessage(loss, lr));
            }
            iteration++;
            trainingNanos += dt;
            windowNanos += dt;
            windowChars += config.charactersPerIteration();
            sessionChars += config.charactersPerIteration();
            windowLossSum += loss;
            windowSteps++;
            windowClipped += lastStepClipped ? 1 : 0;
            double charsPerSecond = windowChars / (windowNanos / 1e9);
            listener.onIteration(iteration, loss, charsPerSecond);
            if (iteration % config.evalInterval() == 0 || iteration == config.iterations()) {
                double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
                Evaluation e = evaluate(windowLossSum / windowSteps, charsPerSecond, lr, elapsed, windowClipped,
                        windowSteps);
                lastValLoss = e.valLoss();
                listener.onEvaluation(e);
                windowNanos = 0;
                windowChars = 0;
                windowLossSum = 0;
                windowSteps = 0;
                windowClipped = 0;
            }
        }
        double rate = trainingNanos == 0 ? 0 : sessionChars / (trainingNanos / 1e9);
        if (Files.exists(runDir.resolve(BEST))) {
            PackageExporter.export(Checkpoint.read(runDir.resolve(BEST)), runDir.resolve(PACKAGE));
        }
        try {
            LossCurve.write(runDir);
        } catch (IOException e) {
            LOG.warn("could not draw {}: {}", LossCurve.FILE, e.getMessage());
        }
        return new TrainingResult(iteration, lastValLoss, bestValLoss, bestIteration, rate, runDir);
    }

    /**
     * A loss that says the run has diverged even while finite: far above ln(V), the loss of a uniform guess, which
     * any run starts near. Without this a run writes checkpoints with losses like 1e18.
     */
    private double divergedLoss() {
        return Math.max(100, 20 * Math.log(vocabulary().size()));
    }

    /** What happened, what the folder holds (only what exists, called good only if it is), and what to do. */
    private String divergenceMessage(float loss, float lr) {
        String state;
        Path last = runDir.resolve(LAST);
        if (Files.exists(last)) {
            CheckpointMetadata m = Checkpoint.read(last).metadata();
            state = last + " is from iteration " + m.iteration + String.format(" (validation loss %.4f nats)",
                    m.metrics.valLoss);
        } else {
            state = "no checkpoint was written (the first evaluation comes at iteration " + config.evalInterval()
                    + ")";
        }
        return "the training loss became " + loss + " at iteration " + (iteration + 1) + " (learning rate " + lr
                + "): training diverged; " + state + "; start a new run with a lower --lr (e.g. "
                + (float) (config.learningRate() / 10) + ")" + (config.gradClip() > 0 ? "" : " and --grad-clip 1")
                + " and another --out";
    }

    /** One optimisation step on batch {@code iteration}; returns its loss. */
    private float step(float learningRate) {
        sampler.batch(iteration);
        float loss;
        // Every array of the step lives in this sub-manager and is freed with it; otherwise native memory grows.
        try (NDManager stepManager = manager.newSubManager();
                GradientCollector collector = engine.newGradientCollector()) {
            Shape shape = new Shape(config.batchSize(), config.seqLen());
            NDArray inputs = stepManager.create(sampler.inputs(), shape);
            NDArray targets = stepManager.create(sampler.targets(), shape);
            NDArray logits = model.forward(store, new NDList(inputs), true).head();
            NDArray lossArray = Losses.meanCrossEntropy(logits, targets);
            collector.backward(lossArray);
            loss = lossArray.getFloat();
        }
        float scale = 1f;
        lastStepClipped = false;
        if (config.gradClip() > 0) {
            double norm = StatefulAdamW.gradientNorm(parameters);
            if (norm > config.gradClip()) {
                scale = (float) (config.gradClip() / (norm + 1e-6));
                lastStepClipped = true;
            }
        }
        optimizer.update(parameters, learningRate, scale);
        return loss;
    }

    private Evaluation evaluate(double trainLoss, double charsPerSecond, float lr, double elapsed, int clippedSteps,
            int steps) {
        double valLoss;
        String sample = "";
        try (NDManager evalManager = manager.newSubManager()) {
            valLoss = Validator.loss(model, store, evalManager, split.validation(), config.seqLen());
            if (config.sampleLength() > 0) {
                sample = SampleWriter.write(model, store, evalManager, vocabulary(), config.samplePrompt(),
                        config.sampleLength(), config.seed() + iteration);
            }
        }
        boolean best = valLoss < bestValLoss;
        if (best) {
            bestValLoss = valLoss;
            bestIteration = iteration;
        }
        CheckpointMetadata meta = metadata(trainLoss, valLoss, charsPerSecond, elapsed);
        Checkpoint ckpt = Checkpoint.capture(meta, model, optimizer::save);
        Evaluation e = new Evaluation(iteration, config.iterations(), trainLoss, valLoss, charsPerSecond, lr,
                elapsed, best, sample, clippedSteps, steps);
        // This order lets a resumed run repair whatever a kill interrupts (see RunDirectory): the metrics line
        // first, then last.ckpt (the truth), then best.ckpt (which may only lag behind it).
        metrics.append(e);
        ckpt.write(runDir.resolve(LAST));
        if (best) {
            ckpt.write(runDir.resolve(BEST));
        }
        return e;
    }

    private CheckpointMetadata metadata(double trainLoss, double valLoss, double charsPerSecond, double elapsed) {
        CheckpointMetadata m = new CheckpointMetadata();
        m.iteration = iteration;
        m.config = config;
        m.cleaning = corpus.cleaning();
        m.vocabulary = vocabulary().codePoints();
        m.corpus = new CheckpointMetadata.CorpusInfo();
        m.corpus.source = corpus.source().toString();
        m.corpus.sha256 = corpus.sha256();
        m.corpus.characters = corpus.length();
        m.metrics = new CheckpointMetadata.Metrics();
        m.metrics.trainLoss = trainLoss;
        m.metrics.valLoss = valLoss;
        m.metrics.bestValLoss = bestValLoss;
        m.metrics.bestIteration = bestIteration;
        m.metrics.charsPerSecond = charsPerSecond;
        m.metrics.elapsedSeconds = elapsed;
        m.rng = new CheckpointMetadata.RngState();
        m.rng.seed = config.seed();
        m.rng.nextBatch = iteration;
        m.createdAt = Instant.now().toString();
        return m;
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
