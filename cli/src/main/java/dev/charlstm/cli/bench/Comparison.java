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

/**
 * Two packages side by side in one run (say float32 and its int8 export): load to first character, one stream
 * with sampling, a batch of 32, and a long prompt primed and fed. The rounds alternate A, B, B, A and each figure
 * is the mean of its two rounds, so neither package gains from going first or last on a noisy machine.
 * Stateless.
 */
public final class Comparison {

    private Comparison() {}

    /**
     * One package's figures. Immutable.
     *
     * @param model its description
     * @param loadToFirstCharacterMillis read the package, create the session, generate one character of "The "
     * @param oneStreamCharsPerSecond one stream, multinomial sampling
     * @param batch32CharsPerSecond a batch of 32 streams, total
     * @param prefill a long prompt to its first character through the sequence graph
     * @param feed the same prompt fed one step per character
     */
    public record Side(String model,
            @SerializedName("load_to_first_char_ms") double loadToFirstCharacterMillis,
            @SerializedName("one_stream_chars_per_s") double oneStreamCharsPerSecond,
            @SerializedName("batch32_chars_per_s") double batch32CharsPerSecond,
            Priming.Figures prefill, Priming.Figures feed) {

        static Side mean(Side a, Side b) {
            return new Side(a.model, (a.loadToFirstCharacterMillis + b.loadToFirstCharacterMillis) / 2,
                    (a.oneStreamCharsPerSecond + b.oneStreamCharsPerSecond) / 2,
                    (a.batch32CharsPerSecond + b.batch32CharsPerSecond) / 2, mean(a.prefill, b.prefill),
                    a.feed != null ? a.feed : b.feed);
        }

        private static Priming.Figures mean(Priming.Figures a, Priming.Figures b) {
            return new Priming.Figures((a.charsPerSecond() + b.charsPerSecond()) / 2,
                    (a.firstCharacterMillis() + b.firstCharacterMillis()) / 2);
        }
    }

    /**
     * The comparison. Immutable.
     *
     * @param promptCharacters the long prompt's length
     * @param a the first package (--model)
     * @param b the second (--compare)
     */
    public record Result(@SerializedName("prompt_chars") int promptCharacters, Side a, Side b) {

        /** @return the side-by-side table, with B/A ratios */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("side by side (rounds A B B A)%n"));
            sb.append(String.format("  A  %s%n  B  %s%n", a.model, b.model));
            sb.append(String.format("%-46s %12s %12s %8s%n", "measure", "A", "B", "B/A"));
            row(sb, "load package to first character (ms)", a.loadToFirstCharacterMillis, b.loadToFirstCharacterMillis);
            row(sb, "one stream, sampling (chars/s)", a.oneStreamCharsPerSecond, b.oneStreamCharsPerSecond);
            row(sb, "batch of 32 streams (total chars/s)", a.batch32CharsPerSecond, b.batch32CharsPerSecond);
            row(sb, promptCharacters + "-char prompt, prefill (chars/s)", a.prefill.charsPerSecond(),
                    b.prefill.charsPerSecond());
            row(sb, promptCharacters + "-char prompt, feed (chars/s)", a.feed.charsPerSecond(),
                    b.feed.charsPerSecond());
            row(sb, "  prefill to first character (ms)", a.prefill.firstCharacterMillis(),
                    b.prefill.firstCharacterMillis());
            row(sb, "  feed to first character (ms)", a.feed.firstCharacterMillis(), b.feed.firstCharacterMillis());
            sb.append(String.format("%-46s %11.1fx %11.1fx%n", "  prefill vs feed",
                    a.prefill.charsPerSecond() / a.feed.charsPerSecond(),
                    b.prefill.charsPerSecond() / b.feed.charsPerSecond()));
            return sb.toString();
        }

        private static void row(StringBuilder sb, String name, double x, double y) {
            sb.append(String.format("%-46s %12.1f %12.1f %7.2fx%n", name, x, y, y / x));
        }
    }

    /**
     * @param aName what to call the first package
     * @param a reads the first package
     * @param bName what to call the second
     * @param b reads the second
     * @param options runtime options for both
     * @param characters characters per one-stream measurement (a batch row generates a quarter of it)
     * @param promptCharacters the long prompt's length
     * @return both packages' figures
     */
    public static Result run(String aName, Supplier<ModelPackage> a, String bName, Supplier<ModelPackage> b,
            RuntimeOptions options, int characters, int promptCharacters) {
        String prompt;
        try (CharLstmModel m = CharLstmModel.load(a.get(), options)) {
            prompt = Priming.prompt(m, promptCharacters);
        }
        round(aName, a, options, characters, prompt, false); // warm-up: JIT and ONNX Runtime's first calls
        round(bName, b, options, characters, prompt, false);
        Side a1 = round(aName, a, options, characters, prompt, true);
        Side b1 = round(bName, b, options, characters, prompt, false);
        Side b2 = round(bName, b, options, characters, prompt, true);
        Side a2 = round(aName, a, options, characters, prompt, false);
        return new Result(prompt.codePointCount(0, prompt.length()), Side.mean(a1, a2), Side.mean(b1, b2));
    }

    /** One round on one package; the slow feed measurement only when {@code withFeed}. */
    private static Side round(String name, Supplier<ModelPackage> load, RuntimeOptions options, int characters, String prompt,
            boolean withFeed) {
        long t0 = System.nanoTime();
        ModelPackage pkg = load.get();
        try (CharLstmModel model = CharLstmModel.load(pkg, options)) {
            long[] first = {0};
            model.generate("The ", GenerationOptions.builder().maxCharacters(1).build(), ch -> {
                first[0] = System.nanoTime();
                return true;
            });
            double loadMillis = (first[0] - t0) / 1e6;
            GenerationOptions sampling = GenerationOptions.builder().maxCharacters(characters).seed(1).build();
            double oneStream;
            try (GenerationStream s = model.newStream()) {
                s.feed("The ");
                long start = System.nanoTime();
                s.generate(sampling, ch -> true);
                oneStream = characters / ((System.nanoTime() - start) / 1e9);
            }
            List<String> prompts = new ArrayList<>();
            for (int k = 0; k < 32; k++) {
                prompts.add("The ");
            }
            int perRow = Math.max(50, characters / 4);
            long start = System.nanoTime();
            model.generateBatch(prompts, sampling.toBuilder().maxCharacters(perRow).build());
            double batch32 = 32.0 * perRow / ((System.nanoTime() - start) / 1e9);
            Priming.Figures prefill = Priming.measure(model, prompt, 3);
            Priming.Figures feed = null;
            if (withFeed) {
                try (CharLstmModel stepOnly = Priming.feedOnly(pkg, options)) {
                    feed = Priming.measure(stepOnly, prompt, 1);
                }
            }
            return new Side(name + " (" + model.manifest().precision() + ")", loadMillis, oneStream, batch32, prefill, feed);
        }
    }
}
