package dev.charlstm.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.charlstm.runtime.DeviceChoice;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointMetadata;
import dev.charlstm.trainer.config.Hyperparameter;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import dev.charlstm.trainer.run.RunDirectory;
import dev.charlstm.trainer.run.SampleListener;
import dev.charlstm.trainer.run.TrainingRun;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code charlstm train}: trains a character LSTM on a folder of text, writing checkpoints and metrics. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        modelTransformer = TrainCommand.HyperparameterOptions.class,
        defaultValueProvider = TrainCommand.PresetValues.class,
        description = {
            "Train a character LSTM on a text file or a folder of .txt files (recursive, sorted by path).",
            "Writes last.ckpt (every evaluation), best.ckpt (lowest validation loss) and metrics.jsonl into --out.",
            "Hyper-parameters default to the chosen preset's value, listed per option as 'seed x, cpu y, tiny z'.",
            "The cpu preset's clipping, schedule, warm-up, learning rate, batch and dropout come from a measured sweep"
                    + " (seeds, losses and speeds: docs/training.md, \"The recipe, measured\")."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description = "Corpus: a .txt file or a folder of them. Required for a new run; with --resume it"
                    + " defaults to the path the run was started on.")
    Path data;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Run folder for checkpoints and metrics. Default: runs/<preset>-<date-time>.")
    Path out;

    @Option(
            names = "--resume",
            paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its last.ckpt (model, AdamW moments, iteration and the"
                    + " batch sequence are restored; the configuration is the run's own, but --iterations may"
                    + " raise the target).")
    Path resume;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            defaultValue = "cpu",
            description = "seed: the tutorial's exact configuration (hours on 2 cores); cpu: the recipe measured in"
                    + " docs/training.md, about 40 minutes on 2 CPU cores; tiny: seconds, for tests."
                    + " Valid: ${COMPLETION-CANDIDATES}.")
    Preset preset;

    // One option per hyper-parameter (--embedding ... --sample-length) is added from TrainingConfig's table by
    // HyperparameterOptions below; their defaults come from --preset through PresetValues.

    @Option(
            names = "--drop-lines-containing",
            paramLabel = "TEXT",
            description = "Drop corpus lines that contain TEXT (the tutorial drops its books' 'Page' headers).")
    String dropLinesContaining;

    @Option(
            names = "--keep-newlines",
            description = "Keep line breaks as characters (verse, code) instead of joining lines with spaces.")
    boolean keepNewlines;

    @Option(
            names = "--lines",
            description = "The corpus is a list, one item per line (names, words, titles), as makemore reads it: each"
                    + " non-empty line, trimmed, is an item; a seeded random sample of items (--val-fraction, at most"
                    + " 1,000) is held out; each item is trained from the start state and ends with a line break,"
                    + " which the model learns to write; --batch then counts items, and --seq-len must be longer than"
                    + " the longest item. Generate with: generate --items N.")
    boolean lines;

    @Option(
            names = "--device",
            paramLabel = "DEV",
            defaultValue = "auto",
            description = "auto (GPU when DJL sees one, else CPU; the default: training is many times faster on a GPU),"
                    + " cpu or gpu.")
    DeviceChoice device;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "PyTorch intra-op threads; 0 = the cores free at start (one per core on an idle machine,"
                    + " fewer when other work runs: more threads than free cores train slower than one).")
    int threads;

    @Option(
            names = "--progress",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Show a progress bar on a terminal (never when output is redirected).")
    boolean progress;

    @Override
    public Integer call() {
        if (resume == null && data == null) {
            throw new UsageError("--data is required for a new run (or --resume RUN_DIR to continue one)");
        }
        // Everything that can be checked without PyTorch is checked first: a refused run costs no engine start
        TrainingConfig config = resume == null ? config() : null;
        if (resume != null || out != null) {
            TrainingRun.checkNotInUse(resume != null ? resume : out, resume != null);
        }
        Corpus corpus = resume == null ? newCorpus() : resumedCorpus();
        Engine engine = TorchEngine.start(threads);
        Device dev = TorchEngine.device(device, engine);
        PrintWriter out = spec.commandLine().getOut();
        TrainingRun run = resume != null ? openResumed(corpus, engine, dev) : openNew(config, corpus, engine, dev);
        try (run;
                TrainProgress progress = new TrainProgress(out, this.progress && interactive())) {
            TrainingResult r = run.train(progress, new SampleListener(progress::sample));
            out.printf(
                    "done: %d iterations; best validation loss %.4f nats (%.4f bits/char) at iteration %d;"
                            + " %.0f chars/s; checkpoints in %s; model package %s%n",
                    r.iterations(),
                    r.bestValLoss(),
                    r.bestValLoss() / Math.log(2),
                    r.bestIteration(),
                    r.charsPerSecond(),
                    run.directory(),
                    run.directory().modelPackage());
        }
        return 0;
    }

    /** @return the configuration the options describe: each hyper-parameter's option, defaulting to the preset's */
    TrainingConfig config() {
        TrainingConfig.Builder b = TrainingConfig.builder();
        for (Hyperparameter<?> p : TrainingConfig.ALL) {
            set(b, p, spec.findOption(p.option()).getValue());
        }
        try {
            return b.build();
        } catch (Hyperparameter.Invalid e) {
            throw new UsageError(
                    e.getMessage() + ": change " + e.hyperparameter().option());
        }
    }

    private static <T> void set(TrainingConfig.Builder b, Hyperparameter<T> p, Object value) {
        b.set(p, p.type().cast(value));
    }

    private Corpus newCorpus() {
        if (lines && keepNewlines) {
            throw new UsageError("--lines and --keep-newlines exclude each other: with --lines a line break ends an"
                    + " item; drop one of them");
        }
        TextCleaning cleaning = TextCleaning.builder()
                .dropLinesContaining(dropLinesContaining)
                .keepNewlines(keepNewlines)
                .lines(lines)
                .build();
        return new CorpusReader(cleaning).read(data);
    }

    private TrainingRun openNew(TrainingConfig config, Corpus corpus, Engine engine, Device dev) {
        Path runDir = out != null
                ? out
                : Paths.get(
                        "runs",
                        preset + "-"
                                + LocalDateTime.now(ZoneId.systemDefault())
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return TrainingRun.start(engine, corpus, config, runDir, dev);
    }

    /** Checks --resume's options and reads the run's corpus (from --data or the path the checkpoint records). */
    private Corpus resumedCorpus() {
        ParseResult parsed = spec.commandLine().getParseResult();
        boolean overrides = TrainingConfig.ALL.stream()
                        .anyMatch(p -> p != TrainingConfig.ITERATIONS && parsed.hasMatchedOption(p.option()))
                || Stream.of("--preset", "--drop-lines-containing", "--keep-newlines", "--lines", "--out")
                        .anyMatch(parsed::hasMatchedOption);
        if (overrides) {
            throw new UsageError("--resume continues a run under its own configuration; only"
                    + " --iterations, --data, --device, --threads and --progress may be given with it");
        }
        Path last = RunDirectory.of(resume).last();
        CheckpointMetadata meta = Checkpoint.read(last).metadata();
        if (data == null && (meta.corpus() == null || meta.corpus().source() == null)) {
            throw new UsageError(last + " records no corpus path: give --data");
        }
        Path corpusPath = data != null ? data : Paths.get(meta.corpus().source());
        if (data == null && !Files.exists(corpusPath)) {
            throw new UsageError("the corpus this run was trained on, " + corpusPath + " (recorded in " + last
                    + (corpusPath.isAbsolute() ? "" : ", relative to the folder the run was started in") + "), is not"
                    + " there: give its new place with --data PATH (its SHA-256 "
                    + meta.corpus().sha256()
                    + " identifies the text)");
        }
        return new CorpusReader(meta.cleaning()).read(corpusPath);
    }

    private TrainingRun openResumed(Corpus corpus, Engine engine, Device dev) {
        ParseResult parsed = spec.commandLine().getParseResult();
        Integer iterations = parsed.hasMatchedOption("--iterations")
                ? (Integer) spec.findOption("--iterations").getValue()
                : null;
        try {
            return TrainingRun.resume(engine, resume, corpus, iterations, dev);
        } catch (Hyperparameter.Invalid e) {
            throw new UsageError(
                    e.getMessage() + ": change " + e.hyperparameter().option());
        }
    }

    /**
     * Adds one option per hyper-parameter of {@link TrainingConfig#ALL}, its help listing every preset's value,
     * right after {@code --preset} in the help.
     */
    static final class HyperparameterOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            List<OptionSpec> after = new ArrayList<>(command.options());
            after = after.subList(after.indexOf(command.findOption("--preset")) + 1, after.size());
            after.forEach(command::remove);
            for (Hyperparameter<?> p : TrainingConfig.ALL) {
                StringBuilder values = new StringBuilder();
                for (Preset preset : Preset.values()) {
                    values.append(values.length() == 0 ? "" : ", ")
                            .append(preset)
                            .append(' ')
                            .append(p.format(p.valueIn(preset.config())));
                }
                command.addOption(OptionSpec.builder(p.option())
                        .paramLabel(p.label())
                        .type(p.type())
                        .description(p.description() + " (" + values + ").")
                        .showDefaultValue(CommandLine.Help.Visibility.NEVER)
                        .build());
            }
            after.forEach(command::addOption);
            return command;
        }
    }

    /** Picocli's defaults for the hyper-parameter options: the chosen preset's values. */
    static final class PresetValues implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            for (Hyperparameter<?> p : TrainingConfig.ALL) {
                if (option.longestName().equals(p.option())) {
                    OptionSpec presetOption = arg.command().findOption("--preset");
                    Preset preset = presetOption.getValue() != null
                            ? (Preset) presetOption.getValue()
                            : Preset.valueOf(presetOption.defaultValue().toUpperCase(Locale.ROOT));
                    Object v = p.valueIn(preset.config());
                    return v instanceof Enum<?> e ? e.name() : String.valueOf(v);
                }
            }
            return null;
        }
    }

    /** Whether standard output is a terminal (for the progress bar): on Java 17, a null console means it is not. */
    @SuppressWarnings("SystemConsoleNull") // the target is Java 17, where console() is null when not interactive
    private static boolean interactive() {
        return System.console() != null;
    }
}
