package dev.charlstm.cli.bench;

import ai.onnxruntime.OrtException;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Measures the runtime on one model: load time, time to first character, one-stream speed with sampling and its
 * per-character latency, the naive loop as a baseline, batched throughput and peak memory. Run it alone: two
 * benchmarks at once on a small machine measure nothing.
 *
 * <p>Stateless and thread-safe; {@link #run} takes the machine for as long as it runs.
 */
public final class Benchmark {

    private Benchmark() {}

    /**
     * @param load reads the package (a folder or the shipped resource)
     * @param characters characters per measurement (one stream; batches generate about as many in total per row)
     * @param batchSizes the batch sizes to measure
     * @param options runtime options
     * @param concurrentThreads thread counts for the concurrent rounds (each thread its own stream)
     * @param concurrentCharacters characters per stream in those rounds
     * @param promptCharacters the long prompt's length for prefill and feed
     * @return the report (without a comparison)
     * @throws OrtException if ONNX Runtime fails in the naive baseline
     * @throws InterruptedException if interrupted while the concurrent rounds run
     */
    public static BenchmarkReport run(
            Supplier<ModelPackage> load,
            int characters,
            int[] batchSizes,
            RuntimeOptions options,
            int[] concurrentThreads,
            int concurrentCharacters,
            int promptCharacters)
            throws OrtException, InterruptedException {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long t0 = System.nanoTime();
        ModelPackage pkg = load.get();
        try (CharLstmModel model = CharLstmModel.load(pkg, options)) {
            double loadMillis = (System.nanoTime() - t0) / 1e6;
            long[] firstAt = {0};
            model.generate(
                    Priming.start(model),
                    GenerationOptions.builder().maxCharacters(1).build(),
                    ch -> {
                        firstAt[0] = System.currentTimeMillis();
                        return true;
                    });
            double firstMillis = firstAt[0] - jvmStart;
            String prompt = "The whale ".codePoints().allMatch(model.manifest().vocabulary()::contains)
                    ? "The whale "
                    : new String(Character.toChars(model.manifest().vocabulary().codePoint(0)));

            GenerationOptions sampling = GenerationOptions.builder()
                    .maxCharacters(characters)
                    .seed(1)
                    .build();
            long[] stamps = new long[characters + 1];
            try (GenerationStream warm = model.newStream()) {
                warm.generate(
                        prompt,
                        sampling.toBuilder()
                                .maxCharacters(Math.min(2000, characters))
                                .build(),
                        ch -> true);
            }
            double oneStream;
            try (GenerationStream s = model.newStream()) {
                s.feed(prompt);
                int[] i = {0};
                stamps[0] = System.nanoTime();
                s.generate(sampling, ch -> {
                    stamps[++i[0]] = System.nanoTime();
                    return true;
                });
                oneStream = characters / ((stamps[characters] - stamps[0]) / 1e9);
            }
            long[] per = new long[characters];
            for (int k = 0; k < characters; k++) {
                per[k] = stamps[k + 1] - stamps[k];
            }
            Arrays.sort(per);

            NaiveLoop.run(pkg, Math.min(500, characters), 1); // warm-up
            int naiveChars = Math.max(200, characters / 2);
            double naive = naiveChars / (NaiveLoop.run(pkg, naiveChars, 1) / 1e9);

            Map<Integer, Double> batched = new LinkedHashMap<>();
            for (int b : batchSizes) {
                List<String> prompts = new ArrayList<>();
                for (int k = 0; k < b; k++) {
                    prompts.add(prompt);
                }
                int perRow = Math.max(50, characters / Math.max(1, b / 4));
                GenerationOptions o = sampling.toBuilder().maxCharacters(perRow).build();
                model.generateBatch(
                        prompts,
                        o.toBuilder().maxCharacters(Math.min(perRow, 100)).build()); // warm-up
                long start = System.nanoTime();
                model.generateBatch(prompts, o);
                batched.put(b, (double) perRow * b / ((System.nanoTime() - start) / 1e9));
            }
            Map<Integer, Concurrency.OnOff> concurrent = new LinkedHashMap<>();
            if (concurrentThreads.length > 0) {
                RuntimeOptions off =
                        options.toBuilder().continuousBatching(false).build();
                try (CharLstmModel unbatched = CharLstmModel.load(pkg, off)) {
                    Concurrency.round(model, prompt, 2, Math.min(500, concurrentCharacters)); // warm-up
                    Concurrency.round(unbatched, prompt, 2, Math.min(500, concurrentCharacters));
                    for (int threads : concurrentThreads) {
                        // off, on, on, off: neither setting gains from going first or last on a noisy machine
                        Concurrency.Figures off1 = Concurrency.round(unbatched, prompt, threads, concurrentCharacters);
                        Concurrency.Figures on1 = Concurrency.round(model, prompt, threads, concurrentCharacters);
                        Concurrency.Figures on2 = Concurrency.round(model, prompt, threads, concurrentCharacters);
                        Concurrency.Figures off2 = Concurrency.round(unbatched, prompt, threads, concurrentCharacters);
                        concurrent.put(
                                threads,
                                new Concurrency.OnOff(
                                        Concurrency.Figures.mean(on1, on2), Concurrency.Figures.mean(off1, off2)));
                    }
                }
            }
            String longPrompt = Priming.prompt(model, promptCharacters);
            Priming.measure(model, longPrompt.substring(0, Math.min(longPrompt.length(), 1000)), 1); // warm-up
            Priming.Figures prefill = Priming.measure(model, longPrompt, 3);
            Priming.Figures feed;
            try (CharLstmModel stepOnly = Priming.feedOnly(pkg, options)) {
                feed = Priming.measure(stepOnly, longPrompt, 1);
            }
            String machine = Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name")
                    + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version") + ", "
                    + "ONNX Runtime on " + model.provider() + " (asked: " + options + ")";
            return new BenchmarkReport(
                    model.manifest().toString(),
                    machine,
                    loadMillis,
                    firstMillis,
                    oneStream,
                    per[characters / 2] / 1e3,
                    per[(int) (characters * 0.99)] / 1e3,
                    naive,
                    batched,
                    concurrent,
                    longPrompt.codePointCount(0, longPrompt.length()),
                    prefill,
                    feed,
                    peakRssMb(),
                    null);
        }
    }

    /** VmHWM from /proc/self/status, in MB; -1 elsewhere. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
