package dev.charlstm.cli;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.UnknownCharacterPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code charlstm generate}: streams a continuation of a prompt to standard output, character by character. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Continue a prompt with a model, printing each character as soon as it is sampled.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", defaultValue = "The ",
            description = "The text to continue.")
    String prompt;

    @Mixin
    ModelOptions model;

    @Option(names = "--max-chars", paramLabel = "N", defaultValue = "400", description = "Characters to generate.")
    int maxChars;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Softmax temperature: below 1 is safer, above 1 wilder.")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Sample among the K most likely characters; 0 = all.")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
            description = "Nucleus sampling: the smallest set of characters whose probability reaches P; 1 = off.")
    float topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0",
            description = "Penalise characters seen in the last 64; 1 = off.")
    float repetitionPenalty;

    @Option(names = "--greedy", description = "Always take the most likely character.")
    boolean greedy;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Sampling seed: the same seed writes the same text.")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT",
            description = "Stop when TEXT appears (repeatable); it is not printed unless --emit-stop.")
    List<String> stop = List.of();

    @Option(names = "--emit-stop", description = "Also print the stop sequence that ended generation.")
    boolean emitStop;

    @Option(names = "--unknown", paramLabel = "POLICY", defaultValue = "error",
            description = "Prompt characters outside the vocabulary: error, skip or replace (with --replacement).",
            converter = UnknownPolicyConverter.class)
    UnknownCharacterPolicy unknown;

    @Option(names = "--replacement", paramLabel = "CHAR", defaultValue = " ",
            description = "The character fed instead of an unknown one with --unknown replace.")
    String replacement;

    @Option(names = "--interactive", description = "A prompt loop on standard input that keeps the stream's state"
            + " between turns (an empty line ends it).")
    boolean interactive;

    @Override
    public Integer call() throws IOException {
        GenerationOptions.Builder b = GenerationOptions.builder().maxCharacters(maxChars).temperature(temperature)
                .topK(topK).topP(topP).repetitionPenalty(repetitionPenalty).greedy(greedy).seed(seed)
                .stopSequences(stop).emitStopSequence(emitStop).unknownCharacters(unknown);
        if (unknown == UnknownCharacterPolicy.REPLACE) {
            if (replacement.codePointCount(0, replacement.length()) != 1) {
                throw new IllegalArgumentException("--replacement must be one character, got \"" + replacement + "\"");
            }
            b.replacement(replacement.codePointAt(0));
        }
        GenerationOptions options = b.build();
        PrintWriter out = spec.commandLine().getOut();
        try (CharLstmModel m = model.load(); GenerationStream stream = m.newStream()) {
            if (!interactive) {
                out.print(prompt);
                out.flush();
                stream.generate(prompt, options, ch -> {
                    out.print(ch);
                    out.flush();
                    return true;
                });
                out.println();
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            out.println("charlstm: " + m.info() + "; type a prompt, an empty line ends");
            for (String line; (line = prompt(out, in)) != null && !line.isEmpty(); ) {
                stream.generate(line, options, ch -> {
                    out.print(ch);
                    out.flush();
                    return true;
                });
                out.println();
            }
            return 0;
        }
    }

    private static String prompt(PrintWriter out, BufferedReader in) throws IOException {
        out.print("> ");
        out.flush();
        return in.readLine();
    }
}
