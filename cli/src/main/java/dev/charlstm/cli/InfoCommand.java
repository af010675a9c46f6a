package dev.charlstm.cli;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.pack.LineItems;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.ModelShape;
import dev.charlstm.runtime.pack.Provenance;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code charlstm info}: what a model package holds. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Show a model package's vocabulary, dimensions, provenance and validation loss.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Override
    public Integer call() {
        ModelPackage pkg = model.readPackage();
        // Validate like `generate` does: ONNX Runtime loads the graph and its shapes must match the manifest.
        try (CharLstmModel loaded = CharLstmModel.load(pkg, model.runtimeOptions())) {
            loaded.prepareSequenceGraph(); // and the sequence graph, which generation loads on first use
        }
        ModelManifest info = pkg.manifest();
        ModelShape shape = info.shape();
        Provenance p = info.provenance();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("model        %s%n", model.describe());
        out.printf(
                "dimensions   V=%d E=%d H=%d L=%d, %d parameters%s%n",
                shape.vocabSize(),
                shape.embeddingSize(),
                shape.hiddenSize(),
                shape.layers(),
                shape.parameterCount(),
                shape.dropout() > 0 ? "; dropout " + shape.dropout() + " between layers while training" : "");
        StringBuilder chars = new StringBuilder();
        for (int cp : info.vocabulary().codePoints()) {
            chars.append(
                    Character.isWhitespace(cp) || Character.isISOControl(cp)
                            ? Vocabulary.describe(cp) + " "
                            : new String(Character.toChars(cp)));
        }
        out.printf("vocabulary   %s%n", chars);
        out.printf(
                "graph        model.onnx (one step), %d bytes, opset %d, sha256 %s%n",
                pkg.modelSize(), info.opset(), info.modelSha256());
        if (info.hasSequenceGraph()) {
            out.printf(
                    "graph        sequence.onnx (whole prompts, eval), %d bytes, sha256 %s%n",
                    pkg.sequenceBytes().length, info.sequenceSha256());
        }
        out.printf(
                "precision    %s%n",
                info.quantization() == null
                        ? "float32"
                        : info.quantization().method() + ": weights "
                                + info.quantization().weights() + "; activations "
                                + info.quantization().activations() + "; embedding "
                                + info.quantization().embedding()
                                + "; quantized from the float32 model.onnx"
                                + " with sha256 " + known(info.quantization().sourceSha256()));
        out.printf(
                "cleaning     drop lines containing %s; keep newlines %s; Unicode normalisation %s%n",
                info.dropLinesContaining() == null ? "(none)" : '"' + info.dropLinesContaining() + '"',
                info.keepNewlines(),
                info.unicodeNormalization() == null
                        ? "none (text as given)"
                        : info.unicodeNormalization() + " (prompts and text normalised the same way)");
        LineItems items = info.items();
        if (info.lines()) {
            out.printf("list         one item per line, each from the start state, ended by U+000A (train --lines)%n");
        }
        if (items != null) {
            out.printf(
                    Locale.ROOT,
                    "items        %d distinct training items, %d held-out (%s of the list, at most 1000, split seed %d);"
                            + " longest %d characters; known by Bloom filters (%d and %d bits, false-positive rate"
                            + " %.1g)%n",
                    items.training().count(),
                    items.heldOut().count(),
                    items.heldOutFraction(),
                    items.splitSeed(),
                    items.maxLength(),
                    items.training().bits(),
                    items.heldOut().bits(),
                    items.training().falsePositiveRate());
        }
        out.printf(
                "trained      %s iterations on %s (%s characters, sha256 %s)%n",
                known(p.iterations()), known(p.corpusName()), known(p.corpusCharacters()), known(p.corpusSha256()));
        String label = "training     ";
        for (Map.Entry<String, Object> section : info.training().entrySet()) {
            String fields = section.getValue() instanceof Map<?, ?> m
                    ? m.entrySet().stream()
                            .map(e -> e.getKey() + " " + JsonFields.toJson(e.getValue()))
                            .collect(Collectors.joining(", "))
                    : String.valueOf(section.getValue());
            out.printf("%s%s: %s%n", label, section.getKey(), fields);
            label = "             ";
        }
        out.printf(
                "validation   %s%n",
                p.valLoss() == null
                        ? "n/a"
                        : String.format("%.4f nats/char (%.4f bits/char)", p.valLoss(), p.valBitsPerChar())
                                // the trainer measured its float32 model; an int8 package carries that figure along
                                + (info.quantization() != null
                                        ? " of the float32 model this was quantized from (charlstm"
                                                + " eval measures this package)"
                                        : "")
                                + (info.lines()
                                        ? " on the held-out items, each with its end, from the start state"
                                        : "")
                                + (p.valFraction() == null || p.valWindow() == null
                                        ? ""
                                        : String.format(
                                                " on the last %s%% of the corpus, windows of %d characters from zero state",
                                                new BigDecimal(p.valFraction() * 100)
                                                        .round(new MathContext(3))
                                                        .stripTrailingZeros()
                                                        .toPlainString(),
                                                p.valWindow())));
        out.printf("produced by  %s at %s%n", known(p.producer()), known(p.createdAt()));
        return 0;
    }

    private static String known(Object v) {
        return v == null ? "(not recorded)" : v.toString();
    }
}
