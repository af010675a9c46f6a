package dev.charlstm.cli;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.CharacterCallback;
import dev.charlstm.runtime.GeneratedItem;
import dev.charlstm.runtime.GeneratedItems;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.ItemOptions;
import dev.charlstm.runtime.UnknownCharacterException;
import dev.charlstm.runtime.UnknownCharacterPolicy;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.LineItems;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code charlstm generate}: streams a continuation of a prompt to standard output, character by character. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        description = "Continue a prompt with a model, printing each character as soon as it is sampled.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "PROMPT",
            defaultValue = "The ",
            description = "The text to continue.")
    String prompt;

    @Mixin
    ModelOptions model;

    @Option(names = "--max-chars", paramLabel = "N", defaultValue = "400", description = "Characters to generate.")
    int maxChars;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            defaultValue = "1.0",
            description = "Softmax temperature: below 1 is safer, above 1 wilder.")
    float temperature;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "0",
            description = "Sample among the K most likely characters; 0 = all.")
    int topK;

    @Option(
            names = "--top-p",
            paramLabel = "P",
            defaultValue = "1.0",
            description = "Nucleus sampling: the smallest set of characters whose probability reaches P; 1 = off.")
    float topP;

    @Option(
            names = "--repetition-penalty",
            paramLabel = "R",
            defaultValue = "1.0",
            description = "Penalise characters seen in the last 64; 1 = off.")
    float repetitionPenalty;

    @Option(names = "--greedy", description = "Always take the most likely character.")
    boolean greedy;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Sampling seed: the same seed writes the same text. Default: a random one, printed to"
                    + " standard error so the text can be written again.")
    Long seed;

    @Option(
            names = "--raw-prompt",
            description = "Read the prompt exactly as given. By default it is cleaned as the"
                    + " model's training text was (line breaks become spaces for a model trained without them, runs of"
                    + " whitespace collapse).")
    boolean rawPrompt;

    @Option(
            names = "--stop",
            paramLabel = "TEXT",
            description = "Stop when TEXT appears (repeatable); it is not printed unless --emit-stop.")
    List<String> stop = List.of();

    @Option(names = "--emit-stop", description = "Also print the stop sequence that ended generation.")
    boolean emitStop;

    @Option(
            names = "--unknown",
            paramLabel = "POLICY",
            defaultValue = "error",
            description = "Prompt characters outside the vocabulary: error, skip or replace (with --replacement).")
    UnknownCharacterPolicy unknown;

    @Option(
            names = "--replacement",
            paramLabel = "CHAR",
            defaultValue = " ",
            description = "The character fed instead of an unknown one with --unknown replace.")
    String replacement;

    @Option(
            names = "--interactive",
            description = "A prompt loop on standard input that keeps the stream's state"
                    + " between turns (an empty line ends it).")
    boolean interactive;

    @Option(
            names = "--items",
            paramLabel = "N",
            description = "For a model trained on a list (train --lines): write N items (at most 1,000,000), one per"
                    + " line, each followed by a tab and where it stands: training (the training items hold it),"
                    + " held-out, new, cut (it reached --max-chars without ending), empty (the model ended it at"
                    + " once), or unknown (the package records no items). Generated as one batch; item i samples"
                    + " with seed + i. --max-chars caps the characters written after the prefix (default: twice the"
                    + " longest training item, at least 16).")
    Integer items;

    @Option(
            names = "--novel",
            description = "With --items: keep only new items (in neither the training nor the held-out items, not"
                    + " empty, not repeated, ended by the model), sampling until there are N.")
    boolean novel;

    @Option(names = "--prefix", paramLabel = "TEXT", description = "With --items: every item starts with TEXT.")
    String prefix;

    @Override
    public Integer call() throws IOException {
        if (items == null && (novel || prefix != null)) {
            throw new UsageError((novel ? "--novel" : "--prefix") + " goes with --items N");
        }
        if (items != null) {
            return generateItems();
        }
        long chosenSeed = seed != null ? seed : new SecureRandom().nextLong() >>> 1;
        GenerationOptions.Builder b = sampling(maxChars, chosenSeed)
                .stopSequences(stop)
                .emitStopSequence(emitStop)
                .cleanPrompt(!rawPrompt);
        GenerationOptions options = UsageError.check(b::build);
        PrintWriter out = spec.commandLine().getOut();
        // Printing stops, and so does generation, when standard output is closed (e.g. `| head -c 50`).
        CharacterCallback print = ch -> {
            out.print(ch);
            out.flush();
            return !out.checkError();
        };
        try (CharLstmModel m = model.load();
                GenerationStream stream = m.newStream()) {
            if (m.manifest().lines()) {
                // a prompt on a list model runs on across item ends, each item starting from the last one's state
                spec.commandLine()
                        .getErr()
                        .println("charlstm: " + model.describe() + " was trained on a list: --items N [--prefix TEXT]"
                                + " writes items, each from the start state");
            }
            if (!interactive) {
                String given = spec.commandLine().getParseResult().hasMatchedPositional(0) ? null : prompt;
                feed(stream, prompt, options, given); // the whole prompt is checked before anything is printed
                announceSeed(chosenSeed);
                out.print(prompt);
                out.flush();
                stream.generate(options, print);
                out.println();
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            out.println("charlstm: " + m.manifest() + "; type a prompt, an empty line ends");
            announceSeed(chosenSeed);
            for (String line; (line = prompt(out, in)) != null && !line.isEmpty(); ) {
                try {
                    feed(stream, line, options, null);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    // a bad turn is reported and changes nothing: the conversation goes on
                    spec.commandLine().getErr().println("charlstm: error: " + e.getMessage());
                    continue;
                }
                stream.generate(options, print);
                out.println();
                if (out.checkError()) {
                    return 0;
                }
            }
            return 0;
        }
    }

    /**
     * The options text and items share: length, sampling, seed and the unknown-character policy (with --unknown
     * replace's character composed first: "e" + U+0301 typed on a command line is the one character é).
     */
    private GenerationOptions.Builder sampling(int maxCharacters, long chosenSeed) {
        GenerationOptions.Builder b = GenerationOptions.builder()
                .maxCharacters(maxCharacters)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .repetitionPenalty(repetitionPenalty)
                .greedy(greedy)
                .seed(chosenSeed)
                .unknownCharacters(unknown);
        if (unknown == UnknownCharacterPolicy.REPLACE) {
            String r = Normalizer.normalize(replacement, Normalizer.Form.NFC);
            if (r.codePointCount(0, r.length()) != 1) {
                throw new UsageError("--replacement must be one character, got \"" + replacement + "\"");
            }
            b.replacement(r.codePointAt(0));
        }
        return b;
    }

    /** The most items one command writes: they are held in memory until the batch is done. */
    static final int MAX_ITEMS = 1_000_000;

    /** --items: a list model's items, one per line with its origin; what was dropped goes to standard error. */
    private int generateItems() {
        if (items < 0 || items > MAX_ITEMS) {
            throw new UsageError("--items must be in [0, " + MAX_ITEMS + "], got " + items);
        }
        picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedPositional(0) || interactive) {
            throw new UsageError("--items makes items from the start state: give --prefix TEXT instead of a PROMPT"
                    + (interactive ? " (and no --interactive)" : ""));
        }
        for (String other : new String[] {"--stop", "--emit-stop", "--raw-prompt"}) {
            if (parsed.hasMatchedOption(other)) {
                throw new UsageError(other + " does not apply to --items: an item ends at the model's end symbol"
                        + " (a line break), and a prefix is cleaned as the list's items were");
            }
        }
        if (parsed.hasMatchedOption("--max-chars") && maxChars < 1) {
            throw new UsageError("--max-chars must be at least 1 with --items, got " + maxChars);
        }
        if (prefix != null && (prefix.indexOf('\n') >= 0 || prefix.indexOf('\r') >= 0)) {
            throw new UsageError("--prefix holds a line break, which ends an item: give one line");
        }
        long chosenSeed = seed != null ? seed : new SecureRandom().nextLong() >>> 1;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (CharLstmModel m = model.load()) {
            if (!m.manifest().lines()) {
                throw new UsageError(model.describe() + " was not trained on a list (train --lines): it has no"
                        + " items to make; generate text with a PROMPT instead of --items");
            }
            LineItems known = m.manifest().items();
            if (novel && known == null) {
                throw new UsageError(model.describe() + " records no items (its manifest has no items section), so"
                        + " --novel cannot tell new items from training ones; drop --novel");
            }
            int cap = parsed.hasMatchedOption("--max-chars")
                    ? maxChars
                    : (int) Math.min(1_000_000, Math.max(16, 2L * (known == null ? 16 : known.maxLength())));
            GenerationOptions.Builder b = sampling(cap, chosenSeed);
            ItemOptions options = ItemOptions.builder()
                    .generation(UsageError.check(b::build))
                    .prefix(prefix)
                    .novel(novel)
                    .build();
            GeneratedItems made;
            try {
                made = m.generateItems(items, options);
            } catch (UnknownCharacterException e) {
                throw new UsageError("--prefix holds " + Vocabulary.describe(e.codePoint()) + " at index " + e.index()
                        + " (0-based, in characters of the prefix as cleaned, \"" + e.cleanedPrompt() + "\"), which"
                        + " is not in the model's vocabulary (charlstm info lists it); use --unknown skip or --unknown"
                        + " replace [--replacement C]");
            }
            announceSeed(chosenSeed);
            int[] counts = new int[6]; // training, held-out, new, cut, empty, unknown
            for (GeneratedItem item : made.items()) {
                int kind = !item.complete()
                        ? 3
                        : item.text().isEmpty()
                                ? 4
                                : item.origin() == null ? 5 : item.origin().ordinal();
                counts[kind]++;
                out.println(item.text() + "\t" + LABELS[kind]);
            }
            out.flush();
            if (novel) {
                err.println("charlstm: " + made.items().size() + " new item"
                        + (made.items().size() == 1 ? "" : "s")
                        + " from " + made.sampled() + " samples (dropped: " + made.inTraining() + " in the training"
                        + " items, " + made.inHeldOut() + " in the held-out items, " + made.repeated() + " repeated, "
                        + made.unfinished() + " cut at " + cap + " characters, " + made.empty() + " empty)");
                if (made.items().size() < items) {
                    err.println("charlstm: only " + made.items().size() + " of " + items + " new items after "
                            + made.sampled() + " samples: "
                            + (made.unfinished() > made.sampled() / 2
                                    ? "most reached --max-chars " + cap + " without ending; raise --max-chars"
                                    : greedy
                                            ? "--greedy writes the same item every time; sample instead"
                                            : "the model mostly repeats its training items; raise --temperature or"
                                                    + " ask for fewer"));
                    return 1;
                }
            } else {
                err.printf(
                        Locale.ROOT,
                        "charlstm: %d items: %d in the training items, %d held-out, %d new, %d cut at %d characters,"
                                + " %d empty%s%n",
                        made.items().size(),
                        counts[0],
                        counts[1],
                        counts[2],
                        counts[3],
                        cap,
                        counts[4],
                        known == null
                                ? " (the package records no items: labelled unknown)"
                                : String.format(
                                        Locale.ROOT,
                                        " (membership false-positive rate %.1g)",
                                        known.training().falsePositiveRate()));
            }
            err.flush();
            return 0;
        }
    }

    /** The labels of {@link #generateItems}'s lines, by kind. */
    private static final String[] LABELS = {"training", "held-out", "new", "cut", "empty", "unknown"};

    /** Without --seed (and when sampling), says which seed was drawn, so the text can be written again. */
    private void announceSeed(long chosen) {
        if (seed == null && !greedy) {
            spec.commandLine()
                    .getErr()
                    .println("charlstm: seed " + chosen + " (--seed " + chosen + " writes this text again)");
            spec.commandLine().getErr().flush();
        }
    }

    /**
     * Feeds a prompt, with messages in the command line's terms; nothing is fed when it fails.
     *
     * @param defaultPrompt the default prompt when the user gave none, for the message; null otherwise
     */
    private static void feed(GenerationStream stream, String text, GenerationOptions options, String defaultPrompt) {
        int fed;
        try {
            fed = stream.feed(text, options);
        } catch (UnknownCharacterException e) {
            String what = defaultPrompt != null ? "the default prompt \"" + defaultPrompt + "\"" : "the prompt";
            throw new IllegalArgumentException(
                    what + " holds " + Vocabulary.describe(e.codePoint()) + " at index "
                            + e.index()
                            + " (0-based, in characters"
                            + (e.cleanedPrompt() != null
                                    ? " of the prompt as cleaned, \"" + e.cleanedPrompt() + "\"; --raw-prompt keeps it"
                                            + " as typed"
                                    : "")
                            + "), which is not in the model's vocabulary (charlstm info"
                            + " lists it); "
                            + (defaultPrompt != null ? "give a PROMPT, or " : "")
                            + "use --unknown skip or --unknown replace"
                            + " [--replacement C]",
                    e);
        }
        if (fed == 0) {
            throw new UsageError(
                    text.isEmpty()
                            ? "the prompt is empty: give a PROMPT to continue"
                            : text.isBlank() && options.cleanPrompt()
                                    ? "the prompt holds only spaces and line breaks, which cleaning removes: nothing to"
                                            + " continue from; give a PROMPT (or --raw-prompt to feed them as typed)"
                                    : "every character of the prompt \"" + text + "\" is outside the model's"
                                            + " vocabulary and was skipped (--unknown "
                                            + options.unknownCharacters().name().toLowerCase(Locale.ROOT)
                                            + "): nothing to continue from; give a prompt with characters the model"
                                            + " knows (charlstm info lists them)");
        }
    }

    private static String prompt(PrintWriter out, BufferedReader in) throws IOException {
        out.print("> ");
        out.flush();
        return in.readLine();
    }
}
