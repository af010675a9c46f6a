package dev.charlstm.cli.bench;

import com.google.gson.annotations.SerializedName;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Packages side by side in one run (say float32, an earlier int8 export and a new one): load to first character,
 * one stream with sampling, a batch of 32, and a long prompt primed and fed. The rounds go there and back (A B B A,
 * or A B C C B A) and each figure is the mean of its two rounds, so no package gains from going first or last on a
 * noisy machine.
 * Stateless.
 */
public final class Comparison {

    private Comparison() {}

    /**
     * One package's figures. Immutable.
     *
     * @param model its description
     * @param loadToFirstCharacterMillis read the package, create the session, generate one character of {@link Priming#start}
     * @param oneStreamCharsPerSecond one stream, multinomial sampling
     * @param batch32CharsPerSecond a batch of 32 streams, total
     * @param prefill a long prompt to its first character through the sequence graph
     * @param feed the same prompt fed one step per character
     */
    public record Side(
            String model,
            @SerializedName("load_to_first_char_ms") double loadToFirstCharacterMillis,
            @SerializedName("one_stream_chars_per_s") double oneStreamCharsPerSecond,
            @SerializedName("batch32_chars_per_s") double batch32CharsPerSecond,
            Priming.Figures prefill,
            Priming.Figures feed) {

        static Side mean(Side a, Side b) {
            return new Side(
                    a.model,
                    (a.loadToFirstCharacterMillis + b.loadToFirstCharacterMillis) / 2,
                    (a.oneStreamCharsPerSecond + b.oneStreamCharsPerSecond) / 2,
                    (a.batch32CharsPerSecond + b.batch32CharsPerSecond) / 2,
                    mean(a.prefill, b.prefill),
                    a.feed != null ? a.feed : b.feed);
        }

        private static Priming.Figures mean(Priming.Figures a, Priming.Figures b) {
            return new Priming.Figures(
                    (a.charsPerSecond() + b.charsPerSecond()) / 2,
                    (a.firstCharacterMillis() + b.firstCharacterMillis()) / 2);
        }
    }

    /**
     * The comparison. Immutable.
     *
     * @param promptCharacters the long prompt's length
     * @param sides the packages' figures: --model first, then each --compare in order
     */
    public record Result(@SerializedName("prompt_chars") int promptCharacters, List<Side> sides) {

        /** @return the side-by-side table, each package's figure with its ratio to the first, and C/B for three */
        public String table() {
            StringBuilder sb = new StringBuilder();
            String order = rounds(sides.size());
            sb.append(String.format("side by side (rounds %s)%n", order));
            for (int i = 0; i < sides.size(); i++) {
                sb.append(String.format("  %c  %s%n", (char) ('A' + i), sides.get(i).model));
            }
            sb.append(String.format("%-40s %10s", "measure", "A"));
            for (int i = 1; i < sides.size(); i++) {
                sb.append(String.format(" %10c %7s", (char) ('A' + i), (char) ('A' + i) + "/A"));
            }
            if (sides.size() == 3) {
                sb.append(String.format(" %7s", "C/B"));
            }
            sb.append(String.format("%n"));
            row(sb, "load package to first character (ms)", s -> s.loadToFirstCharacterMillis);
            row(sb, "one stream, sampling (chars/s)", s -> s.oneStreamCharsPerSecond);
            row(sb, "batch of 32 streams (total chars/s)", s -> s.batch32CharsPerSecond);
            row(sb, promptCharacters + "-char prompt, prefill (chars/s)", s -> s.prefill.charsPerSecond());
            row(sb, promptCharacters + "-char prompt, feed (chars/s)", s -> s.feed.charsPerSecond());
            row(sb, "  prefill to first character (ms)", s -> s.prefill.firstCharacterMillis());
            row(sb, "  feed to first character (ms)", s -> s.feed.firstCharacterMillis());
            row(sb, "  prefill vs feed (x)", s -> s.prefill.charsPerSecond() / s.feed.charsPerSecond());
            return sb.toString();
        }

        private void row(StringBuilder sb, String name, ToDoubleFunction<Side> f) {
            double a = f.applyAsDouble(sides.get(0));
            sb.append(String.format("%-40s %10.1f", name, a));
            for (int i = 1; i < sides.size(); i++) {
                double x = f.applyAsDouble(sides.get(i));
                sb.append(String.format(" %10.1f %6.2fx", x, x / a));
            }
            if (sides.size() == 3) {
                sb.append(String.format(" %6.2fx", f.applyAsDouble(sides.get(2)) / f.applyAsDouble(sides.get(1))));
            }
            sb.append(String.format("%n"));
        }
    }

    /** "A B B A", "A B C C B A": the order of the measured rounds. */
    static String rounds(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2 * n; i++) {
            sb.append(i == 0 ? "" : " ").append((char) ('A' + (i < n ? i : 2 * n - 1 - i)));
        }
        return sb.toString();
    }

    /**
     * @param names what to call each package (the first is the one the others are compared with)
     * @param packages reads each package
     * @param options runtime options for all
     * @param characters characters per one-stream measurement (a batch row generates a quarter of it)
     * @param promptCharacters the long prompt's length
     * @return every package's figures, each the mean of a round on the way there and one on the way back
     */
    public static Result run(
            List<String> names,
            List<Supplier<ModelPackage>> packages,
            RuntimeOptions options,
            int characters,
            int promptCharacters) {
        String prompt;
        try (CharLstmModel m = CharLstmModel.load(packages.get(0).get(), options)) {
            prompt = Priming.prompt(m, promptCharacters);
        }
        int n = packages.size();
        for (int i = 0; i < n; i++) { // warm-up: JIT and ONNX Runtime's first calls
            round(names.get(i), packages.get(i), options, characters, prompt, false);
        }
        Side[] there = new Side[n];
        for (int i = 0; i < n; i++) {
            there[i] = round(names.get(i), packages.get(i), options, characters, prompt, true);
        }
        List<Side> sides = new ArrayList<>();
        Side[] back = new Side[n];
        for (int i = n - 1; i >= 0; i--) {
            back[i] = round(names.get(i), packages.get(i), options, characters, prompt, false);
        }
        for (int i = 0; i < n; i++) {
            sides.add(Side.mean(there[i], back[i]));
        }
        return new Result(prompt.codePointCount(0, prompt.length()), sides);
    }

    /** One round on one package; the slow feed measurement only when {@code withFeed}. */
    private static Side round(
            String name,
            Supplier<ModelPackage> load,
            RuntimeOptions options,
            int characters,
            String prompt,
            boolean withFeed) {
        long t0 = System.nanoTime();
        ModelPackage pkg = load.get();
        try (CharLstmModel model = CharLstmModel.load(pkg, options)) {
            long[] first = {0};
            model.generate(
                    Priming.start(model),
                    GenerationOptions.builder().maxCharacters(1).build(),
                    ch -> {
                        first[0] = System.nanoTime();
                        return true;
                    });
            double loadMillis = (first[0] - t0) / 1e6;
            GenerationOptions sampling = GenerationOptions.builder()
                    .maxCharacters(characters)
                    .seed(1)
                    .build();
            double oneStream;
            try (GenerationStream s = model.newStream()) {
                s.feed(Priming.start(model));
                long start = System.nanoTime();
                s.generate(sampling, ch -> true);
                oneStream = characters / ((System.nanoTime() - start) / 1e9);
            }
            List<String> prompts = new ArrayList<>();
            for (int k = 0; k < 32; k++) {
                prompts.add(Priming.start(model));
            }
            int perRow = Math.max(50, characters / 4);
            long start = System.nanoTime();
            model.generateBatch(
                    prompts, sampling.toBuilder().maxCharacters(perRow).build());
            double batch32 = 32.0 * perRow / ((System.nanoTime() - start) / 1e9);
            Priming.Figures prefill = Priming.measure(model, prompt, 3);
            Priming.Figures feed = null;
            if (withFeed) {
                try (CharLstmModel stepOnly = Priming.feedOnly(pkg, options)) {
                    feed = Priming.measure(stepOnly, prompt, 1);
                }
            }
            return new Side(
                    name + " (" + model.manifest().precision() + ")", loadMillis, oneStream, batch32, prefill, feed);
        }
    }
}
