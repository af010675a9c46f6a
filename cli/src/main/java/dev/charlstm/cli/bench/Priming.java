package dev.charlstm.cli.bench;

import com.google.gson.annotations.SerializedName;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import java.util.Arrays;

/**
 * A long prompt to its first generated character, two ways: primed through the package's sequence graph (a chunk
 * per call; what the runtime does), and fed one step-graph call per character (the same package without its
 * sequence graph: what the runtime did before). Stateless.
 */
final class Priming {

    private Priming() {}

    /**
     * Characters of prompt per second of "prompt in, first character out". Immutable.
     *
     * @param charsPerSecond the prompt's length over the time from the call to its first generated character
     * @param firstCharacterMillis that time
     */
    record Figures(
            @SerializedName("chars_per_s") double charsPerSecond,
            @SerializedName("first_char_ms") double firstCharacterMillis) {}

    /**
     * A prompt the model itself wrote: in its vocabulary, and text-like.
     *
     * @param model the model
     * @param length characters
     * @return the prompt
     */
    static String prompt(CharLstmModel model, int length) {
        String start = start(model);
        return start
                + model.generate(
                                start,
                                GenerationOptions.builder()
                                        .maxCharacters(length - start.length())
                                        .seed(11)
                                        .build())
                        .text();
    }

    /**
     * The short prompt every measurement starts from: "The " when the model has those characters, else its first
     * vocabulary character, so any package can be measured.
     */
    static String start(CharLstmModel model) {
        return "The ".codePoints().allMatch(model.manifest().vocabulary()::contains)
                ? "The "
                : new String(Character.toChars(model.manifest().vocabulary().codePoint(0)));
    }

    /** The best of {@code rounds} measurements of prompt to first character on a fresh stream. */
    static Figures measure(CharLstmModel model, String prompt, int rounds) {
        GenerationOptions one =
                GenerationOptions.builder().maxCharacters(1).seed(1).build();
        long[] nanos = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            try (GenerationStream s = model.newStream()) {
                long start = System.nanoTime();
                long[] first = {0};
                s.generate(prompt, one, ch -> {
                    first[0] = System.nanoTime();
                    return true;
                });
                nanos[r] = first[0] - start;
            }
        }
        long best = Arrays.stream(nanos).min().orElseThrow();
        int chars = prompt.codePointCount(0, prompt.length());
        return new Figures(chars / (best / 1e9), best / 1e6);
    }

    /** The package without its sequence graph: prompts are fed one step per character. */
    static CharLstmModel feedOnly(ModelPackage pkg, RuntimeOptions options) {
        return CharLstmModel.load(ModelPackage.of(pkg.manifest(), pkg.modelBytes()), options);
    }
}
