package dev.charlstm.cli;

import ai.onnxruntime.OrtException;
import com.google.gson.GsonBuilder;
import dev.charlstm.cli.bench.Benchmark;
import dev.charlstm.cli.bench.BenchmarkReport;
import dev.charlstm.cli.bench.Comparison;
import dev.charlstm.cli.bench.ItemsBench;
import dev.charlstm.cli.bench.SamplingBench;
import dev.charlstm.runtime.pack.ModelPackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code charlstm bench}: the runtime's speed claim, measured on this machine. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Measure a package's speed: load, one stream, batches, many threads, long prompts, memory.",
            "%nLoad time, time to first character, one-stream characters/s with sampling and its per-character"
                    + " latency, a naive loop for comparison, batched throughput, many threads generating at once"
                    + " with continuous batching on and off, a long prompt primed through the sequence graph vs fed"
                    + " one step per character, and peak memory; with --compare, up to three more packages side by"
                    + " side; with --sampling-vocab, the sampler alone.",
            "%nRun it alone: two benchmarks at once on a small machine measure nothing."
        })
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--chars", paramLabel = "N", defaultValue = "20000", description = "Characters per measurement.")
    int chars;

    @Option(
            names = "--batch",
            paramLabel = "B",
            split = ",",
            defaultValue = "1,8,32,128",
            description = "Batch sizes to measure.")
    int[] batches;

    @Option(
            names = "--concurrent",
            paramLabel = "T",
            split = ",",
            defaultValue = "1,8,32,128",
            description = "Thread counts for the concurrent rounds: each thread generates on its own stream, with"
                    + " continuous batching on and off.")
    int[] concurrent;

    @Option(
            names = "--concurrent-chars",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Characters per stream in the concurrent rounds.")
    int concurrentChars;

    @Option(
            names = "--prompt-chars",
            paramLabel = "N",
            defaultValue = "10000",
            description = "The long prompt's length for prefill (through the sequence graph) vs feed (a step per"
                    + " character).")
    int promptChars;

    @Option(
            names = "--compare",
            paramLabel = "DIR",
            split = ",",
            description = "Packages to measure side by side with --model (e.g. its int8 export; repeat the option or"
                    + " separate folders with commas): load to first character, one stream, batch of 32, prefill"
                    + " and feed, in rounds there and back (A B C C B A).")
    List<Path> compare;

    @Option(
            names = "--sampling-vocab",
            paramLabel = "V",
            split = ",",
            description = "Measure only the sampler, at these vocabulary sizes (e.g. 80,1000,8000): draws per second"
                    + " plain, with top-k 40 and with top-p 0.9. No model is loaded.")
    int[] samplingVocab;

    @Option(
            names = "--items",
            paramLabel = "N",
            description = "For a model trained on a list (train --lines): measure only items per second, N items made"
                    + " as one batch (generate --items N) beside the same N made one call at a time, in 3 alternating"
                    + " rounds each.")
    Integer items;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws OrtException, InterruptedException {
        if (samplingVocab != null) {
            if (Arrays.stream(samplingVocab).anyMatch(v -> v < 2 || v > 10_000_000)) {
                throw new UsageError(
                        "--sampling-vocab sizes must be in [2, 10000000], got " + Arrays.toString(samplingVocab));
            }
            picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            for (String other : new String[] {"--model", "--compare", "--json"}) {
                if (parsed.hasMatchedOption(other)) {
                    throw new UsageError("--sampling-vocab measures the sampler alone, without a model, as a table:"
                            + " it takes no " + other);
                }
            }
            spec.commandLine().getOut().print(SamplingBench.run(samplingVocab, 1000));
            return 0;
        }
        if (items != null) {
            if (items < 1) {
                throw new UsageError("--items must be positive, got " + items);
            }
            ModelPackage pkg = model.readPackage();
            if (!pkg.manifest().lines()) {
                throw new UsageError(model.describe() + " was not trained on a list (train --lines): --items measures"
                        + " list models only");
            }
            ItemsBench.Result r = ItemsBench.run(pkg, model.runtimeOptions(), items, 3);
            spec.commandLine()
                    .getOut()
                    .print(json ? new GsonBuilder().setPrettyPrinting().create().toJson(r) + "\n" : r.table());
            return 0;
        }
        if (chars < 100) {
            throw new UsageError("--chars must be at least 100, got " + chars);
        }
        if (Arrays.stream(batches).anyMatch(b -> b < 1)) {
            throw new UsageError("--batch sizes must be positive, got " + Arrays.toString(batches));
        }
        if (Arrays.stream(concurrent).anyMatch(t -> t < 1) || concurrentChars < 1) {
            throw new UsageError("--concurrent thread counts and --concurrent-chars must be positive");
        }
        if (promptChars < 100) {
            throw new UsageError("--prompt-chars must be at least 100, got " + promptChars);
        }
        if (compare != null && compare.size() > 3) {
            throw new UsageError("--compare takes at most 3 packages, got " + compare.size());
        }
        List<String> names = new ArrayList<>(List.of(model.describe()));
        List<Supplier<ModelPackage>> packages = new ArrayList<>(List.of(model::readPackage));
        for (Path dir : compare == null ? List.<Path>of() : compare) {
            ModelOptions.readPackage(dir); // a bad folder fails now, not after minutes of measuring
            names.add(dir.toString());
            packages.add(() -> ModelOptions.readPackage(dir));
        }
        BenchmarkReport r = Benchmark.run(
                model::readPackage, chars, batches, model.runtimeOptions(), concurrent, concurrentChars, promptChars);
        if (compare != null && !compare.isEmpty()) {
            Comparison.Result c = Comparison.run(names, packages, model.runtimeOptions(), chars, promptChars);
            r = new BenchmarkReport(
                    r.model(),
                    r.machine(),
                    r.loadMillis(),
                    r.firstCharacterMillis(),
                    r.oneStreamCharsPerSecond(),
                    r.p50Micros(),
                    r.p99Micros(),
                    r.naiveCharsPerSecond(),
                    r.batchedCharsPerSecond(),
                    r.concurrent(),
                    r.promptCharacters(),
                    r.prefill(),
                    r.feed(),
                    r.peakRssMegabytes(),
                    c);
        }
        spec.commandLine()
                .getOut()
                .println(json ? new GsonBuilder().setPrettyPrinting().create().toJson(r) : r.table());
        return 0;
    }
}
