package dev.charlstm.cli.bench;

import com.google.gson.annotations.SerializedName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Benchmark} measured. Immutable and thread-safe.
 *
 * @param model the model's description, e.g. {@code V80 E128 H256 L2}
 * @param machine processor count, OS and Java version
 * @param loadMillis reading the package and creating the ONNX Runtime session
 * @param firstCharacterMillis from JVM start to the first generated character
 * @param oneStreamCharsPerSecond one stream, multinomial sampling, including the callback
 * @param p50Micros median time per character in that stream
 * @param p99Micros 99th percentile time per character
 * @param naiveCharsPerSecond the same generation with new arrays and tensors every step (baseline)
 * @param batchedCharsPerSecond total characters per second for batch sizes (ordered)
 * @param concurrent for each thread count, threads generating at once on their own streams, with continuous
 *     batching on and off
 * @param promptCharacters the long prompt's length, for prefill and feed
 * @param prefill the long prompt to its first character, primed through the sequence graph
 * @param feed the same, fed one step-graph call per character
 * @param peakRssMegabytes the process's peak resident memory, or -1 where /proc is unavailable
 * @param comparison a second package side by side (--compare), or null
 *
 * <p>As JSON ({@code bench --json}) every key is snake_case with its unit as a suffix ({@code _ms}, {@code _us},
 * {@code _chars_per_s}, {@code _mb}), the one convention of every JSON charlstm writes.
 */
public record BenchmarkReport(
        String model,
        String machine,
        @SerializedName("load_ms") double loadMillis,
        @SerializedName("first_char_ms") double firstCharacterMillis,
        @SerializedName("one_stream_chars_per_s") double oneStreamCharsPerSecond,
        @SerializedName("p50_us") double p50Micros,
        @SerializedName("p99_us") double p99Micros,
        @SerializedName("naive_chars_per_s") double naiveCharsPerSecond,
        @SerializedName("batched_chars_per_s") Map<Integer, Double> batchedCharsPerSecond,
        Map<Integer, Concurrency.OnOff> concurrent,
        @SerializedName("prompt_chars") int promptCharacters,
        Priming.Figures prefill,
        Priming.Figures feed,
        @SerializedName("peak_rss_mb") double peakRssMegabytes,
        Comparison.Result comparison) {

    /** Copies the maps. */
    public BenchmarkReport {
        batchedCharsPerSecond = Collections.unmodifiableMap(new LinkedHashMap<>(batchedCharsPerSecond));
        concurrent = Collections.unmodifiableMap(new LinkedHashMap<>(concurrent));
    }

    /** @return the report as a plain-text table */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("model            %s%n", model));
        sb.append(String.format("machine          %s%n", machine));
        sb.append(String.format("%-44s %12s%n", "measure", "value"));
        row(sb, "load package + create session (ms)", loadMillis);
        row(sb, "JVM start to first character (ms)", firstCharacterMillis);
        row(sb, "one stream, sampling (chars/s)", oneStreamCharsPerSecond);
        row(sb, "  per character p50 (us)", p50Micros);
        row(sb, "  per character p99 (us)", p99Micros);
        row(sb, "naive loop, new tensors each step (chars/s)", naiveCharsPerSecond);
        sb.append(String.format(
                "%-44s %11.1fx%n", "  zero-copy loop vs naive", oneStreamCharsPerSecond / naiveCharsPerSecond));
        for (Map.Entry<Integer, Double> e : batchedCharsPerSecond.entrySet()) {
            row(sb, "batch of " + e.getKey() + " streams (total chars/s)", e.getValue());
        }
        Double b32 = batchedCharsPerSecond.get(32);
        if (b32 != null) {
            sb.append(String.format("%-44s %11.1fx%n", "  batch 32 vs one stream", b32 / oneStreamCharsPerSecond));
        }
        if (!concurrent.isEmpty()) {
            sb.append(String.format(
                    "%-44s %12s %12s %9s %9s %9s %9s%n",
                    "concurrent streams (own thread each)",
                    "on chars/s",
                    "off chars/s",
                    "on p50us",
                    "on p99us",
                    "off p50us",
                    "off p99us"));
            for (Map.Entry<Integer, Concurrency.OnOff> e : concurrent.entrySet()) {
                Concurrency.Figures on = e.getValue().on();
                Concurrency.Figures off = e.getValue().off();
                sb.append(String.format(
                        "%-44s %12.1f %12.1f %9.1f %9.1f %9.1f %9.1f   on/off %.2fx%n",
                        "  " + e.getKey() + " threads",
                        on.charsPerSecond(),
                        off.charsPerSecond(),
                        on.p50Micros(),
                        on.p99Micros(),
                        off.p50Micros(),
                        off.p99Micros(),
                        on.charsPerSecond() / off.charsPerSecond()));
            }
            Concurrency.OnOff c32 = concurrent.get(32);
            if (c32 != null && b32 != null) {
                sb.append(String.format(
                        "%-44s %11.2fx%n",
                        "  32 threads (on) vs batch of 32", c32.on().charsPerSecond() / b32));
            }
        }
        row(sb, promptCharacters + "-char prompt, prefill (chars/s)", prefill.charsPerSecond());
        row(sb, promptCharacters + "-char prompt, feed (chars/s)", feed.charsPerSecond());
        row(sb, "  prefill to first character (ms)", prefill.firstCharacterMillis());
        row(sb, "  feed to first character (ms)", feed.firstCharacterMillis());
        sb.append(String.format(
                "%-44s %11.1fx%n", "  prefill vs feed", prefill.charsPerSecond() / feed.charsPerSecond()));
        row(sb, "peak RSS (MB)", peakRssMegabytes);
        if (comparison != null) {
            sb.append(System.lineSeparator()).append(comparison.table());
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, double value) {
        sb.append(String.format("%-44s %12.1f%n", name, value));
    }
}
