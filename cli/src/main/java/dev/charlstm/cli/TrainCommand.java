package dev.charlstm.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.corpus.CleaningOptions;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import dev.charlstm.trainer.training.DeviceChoice;
import dev.charlstm.trainer.training.Preset;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.TrainingConfig;
import dev.charlstm.trainer.training.TrainingResult;
import dev.charlstm.trainer.training.TrainingRun;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code charlstm train}: trains a character LSTM on a folder of text, writing checkpoints and metrics. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {
            "Train a character LSTM on a text file or a folder of .txt files (recursive, sorted by path).",
            "Writes last.ckpt (every evaluation), best.ckpt (lowest validation loss) and metrics.jsonl into --out.",
            "Hyper-parameters default to the chosen preset's value, listed per option as 'seed x, cpu y, tiny z'.",
            "The cpu preset's clipping, schedule, warm-up, learning rate, batch and dropout come from a measured sweep"
                    + " (seeds, losses and speeds: docs/training.md, \"The recipe, measured\")."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "PATH",
            description = "Corpus: a .txt file or a folder of them. Required for a new run; with --resume it"
                    + " defaults to the path the run was started on.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Run folder for checkpoints and metrics. Default: runs/<preset>-<date-time>.")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its last.ckpt (model, AdamW moments, iteration and the"
                    + " batch sequence are restored; the configuration is the run's own, but --iterations may"
                    + " raise the target).")
    Path resume;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "cpu",
            description = "seed: the tutorial's exact configuration (hours on 2 cores); cpu: the recipe measured in"
                    + " docs/training.md, about 40 minutes on 2 CPU cores; tiny: seconds, for tests."
                    + " Valid: ${COMPLETION-CANDIDATES}.",
            converter = PresetConverter.class, completionCandidates = PresetConverter.Names.class)
    Preset preset;

    @Option(names = "--embedding", paramLabel = "E", description = "Embedding size (${sys:charlstm.preset.embedding}).")
    Integer embedding;

    @Option(names = "--hidden", paramLabel = "H", description = "LSTM hidden size (${sys:charlstm.preset.hidden}).")
    Integer hidden;

    @Option(names = "--layers", paramLabel = "L", description = "Stacked LSTM layers (${sys:charlstm.preset.layers}).")
    Integer layers;

    @Option(names = "--dropout", paramLabel = "P",
            description = "Dropout between LSTM layers while training (${sys:charlstm.preset.dropout}).")
    Float dropout;

    @Option(names = "--batch", paramLabel = "B", description = "Windows per batch (${sys:charlstm.preset.batch}).")
    Integer batch;

    @Option(names = "--seq-len", paramLabel = "T",
            description = "Window length in characters (${sys:charlstm.preset.seqLen}).")
    Integer seqLen;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Iterations to train to (${sys:charlstm.preset.iterations}).")
    Integer iterations;

    @Option(names = "--eval-interval", paramLabel = "N",
            description = "Iterations between evaluations: validation loss, a sample and a checkpoint"
                    + " (${sys:charlstm.preset.evalInterval}).")
    Integer evalInterval;

    @Option(names = "--lr", paramLabel = "RATE", description = "AdamW learning rate (${sys:charlstm.preset.lr}).")
    Float lr;

    @Option(names = "--weight-decay", paramLabel = "WD",
            description = "AdamW decoupled weight decay (${sys:charlstm.preset.weightDecay}).")
    Float weightDecay;

    @Option(names = "--grad-clip", paramLabel = "NORM",
            description = "Clip gradients to this global L2 norm; 0 = off (${sys:charlstm.preset.gradClip}).")
    Float gradClip;

    @Option(names = "--schedule", paramLabel = "KIND",
            description = "Learning-rate schedule after warm-up: constant or cosine (${sys:charlstm.preset.schedule}).",
            converter = ScheduleConverter.class)
    TrainingConfig.Schedule schedule;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Linear warm-up iterations (${sys:charlstm.preset.warmup}).")
    Integer warmup;

    @Option(names = "--final-lr-fraction", paramLabel = "F",
            description = "Cosine: final learning rate as a fraction of --lr (${sys:charlstm.preset.finalLr}).")
    Float finalLrFraction;

    @Option(names = "--val-fraction", paramLabel = "F",
            description = "Share of the text, at its end, held out for validation (${sys:charlstm.preset.valFraction}).")
    Double valFraction;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of initialisation, batches and samples (${sys:charlstm.preset.seed}).")
    Long seed;

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "Prompt whose continuation each evaluation prints (${sys:charlstm.preset.prompt}).")
    String prompt;

    @Option(names = "--sample-length", paramLabel = "N",
            description = "Characters sampled at each evaluation; 0 = none (${sys:charlstm.preset.sampleLength}).")
    Integer sampleLength;

    @Option(names = "--drop-lines-containing", paramLabel = "TEXT",
            description = "Drop corpus lines that contain TEXT (the tutorial drops its books' 'Page' headers).")
    String dropLinesContaining;

    @Option(names = "--keep-newlines",
            description = "Keep line breaks as characters (verse, code) instead of joining lines with spaces.")
    boolean keepNewlines;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "auto",
            description = "auto (GPU when DJL sees one, else CPU), cpu or gpu.", converter = DeviceConverter.class)
    DeviceChoice device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "PyTorch intra-op threads; 0 = the cores free at start (one per core on an idle machine,"
                    + " fewer when other work runs: more threads than free cores train slower than one).")
    int threads;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show a progress bar on a terminal (never when output is redirected).")
    boolean progress;

    @Override
    public Integer call() {
        if (resume == null && data == null) {
            throw new UsageError("--data is required for a new run (or --resume RUN_DIR to continue one)");
        }
        Engine engine = TorchEngine.start(threads);
        Device dev = TorchEngine.device(device, engine);
        TrainingRun run = resume != null ? openResumed(dev) : openNew(dev);
        try (run; TrainProgress listener = new TrainProgress(spec.commandLine().getOut(),
                progress && System.console() != null)) {
            TrainingResult r = run.train(listener);
            spec.commandLine().getOut().printf(
                    "done: %d iterations; best validation loss %.4f nats (%.4f bits/char) at iteration %d;"
                            + " %.0f chars/s; checkpoints in %s; model package %s%n",
                    r.iterations(), r.bestValLoss(), r.bestValLoss() / Math.log(2), r.bestIteration(),
                    r.charsPerSecond(), r.runDir(), r.modelPackage());
        }
        return 0;
    }

    private TrainingRun openNew(Device dev) {
        TrainingConfig config = UsageError.check(() -> overrides(preset.builder()).build());
        CleaningOptions cleaning = CleaningOptions.builder().dropLinesContaining(dropLinesContaining)
                .keepNewlines(keepNewlines).build();
        Corpus corpus = new CorpusReader(cleaning).read(data);
        Path runDir = out != null ? out : Paths.get("runs", preset.name().toLowerCase() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return TrainingRun.start(corpus, config, runDir, dev);
    }

    private TrainingRun openResumed(Device dev) {
        if (hasModelOverrides()) {
            throw new UsageError("--resume continues a run under its own configuration; only"
                    + " --iterations, --data, --device, --threads and --progress may be given with it");
        }
        CheckpointMetadata meta = Checkpoint.read(resume.resolve(TrainingRun.LAST)).metadata();
        Path corpusPath = data != null ? data : Paths.get(meta.corpus.source);
        Corpus corpus = new CorpusReader(meta.cleaning).read(corpusPath);
        return TrainingRun.resume(resume, corpus, iterations, dev);
    }

    private boolean hasModelOverrides() {
        return embedding != null || hidden != null || layers != null || dropout != null || batch != null
                || seqLen != null || evalInterval != null || lr != null || weightDecay != null || gradClip != null
                || schedule != null || warmup != null || finalLrFraction != null || valFraction != null
                || seed != null || prompt != null || sampleLength != null || dropLinesContaining != null
                || keepNewlines || out != null;
    }

    private TrainingConfig.Builder overrides(TrainingConfig.Builder b) {
        if (embedding != null) {
            b.embeddingSize(embedding);
        }
        if (hidden != null) {
            b.hiddenSize(hidden);
        }
        if (layers != null) {
            b.layers(layers);
        }
        if (dropout != null) {
            b.dropout(dropout);
        }
        if (batch != null) {
            b.batchSize(batch);
        }
        if (seqLen != null) {
            b.seqLen(seqLen);
        }
        if (iterations != null) {
            b.iterations(iterations);
        }
        if (evalInterval != null) {
            b.evalInterval(evalInterval);
        }
        if (lr != null) {
            b.learningRate(lr);
        }
        if (weightDecay != null) {
            b.weightDecay(weightDecay);
        }
        if (gradClip != null) {
            b.gradClip(gradClip);
        }
        if (schedule != null) {
            b.schedule(schedule);
        }
        if (warmup != null) {
            b.warmupIterations(warmup);
        }
        if (finalLrFraction != null) {
            b.finalLearningRateFraction(finalLrFraction);
        }
        if (valFraction != null) {
            b.validationFraction(valFraction);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (prompt != null) {
            b.samplePrompt(prompt);
        }
        if (sampleLength != null) {
            b.sampleLength(sampleLength);
        }
        return b;
    }
}
