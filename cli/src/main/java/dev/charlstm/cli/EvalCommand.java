package dev.charlstm.cli;

import com.google.gson.GsonBuilder;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.EvaluationResult;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.Provenance;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code charlstm eval}: a package's loss on a corpus, through ONNX Runtime, by the trainer's definition. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure a package's loss on a corpus (nats and bits per character), as training does.",
            "%nThrough ONNX Runtime, exactly as the trainer measures validation loss: the corpus is read and"
                    + " cleaned as the package's manifest says, its held-out tail (or, with --all, the whole text)"
                    + " is cut into windows of the recorded length, and each window is scored from zero state. On"
                    + " the corpus a package was trained on it reproduces the validation loss the manifest records;"
                    + " use it to compare an int8 package with its float32 source, or two packages on your text.",
            "%nFor a model trained on a list (train --lines): the corpus's items (one per line), the held-out ones"
                    + " drawn as training drew them (or, with --all, every item), each scored from the start state:"
                    + " the mean cross-entropy over every character of each item plus its end (makemore's test loss)."
        })
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "A text file or a folder of them (read in name order, as training reads them).")
    Path data;

    @Option(names = "--all", description = "Score the whole text, not only the held-out tail.")
    boolean all;

    @Option(
            names = "--window",
            paramLabel = "N",
            defaultValue = "0",
            description = "Window length in characters; 0 = the one the package records.")
    int window;

    @Option(
            names = "--held-out",
            paramLabel = "F",
            description = "The held-out share of the text, in (0, 1); default: the one the package records.")
    Double heldOut;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (heldOut != null && (heldOut.isNaN() || all)) {
            throw new UsageError(
                    all
                            ? "--held-out and --all exclude each other: --all scores the whole text"
                            : "--held-out must be a number in (0, 1), got NaN");
        }
        EvaluationOptions options = UsageError.check(() -> EvaluationOptions.builder()
                .wholeText(all)
                .window(window)
                .heldOutFraction(heldOut == null ? Double.NaN : heldOut)
                .build());
        ModelPackage pkg = model.readPackage();
        ModelManifest m = pkg.manifest();
        if (m.lines() && window != 0) {
            throw new UsageError("--window does not apply to " + model.describe() + ", a model trained on a list:"
                    + " each item is scored whole, from the start state");
        }
        Corpus corpus = new CorpusReader(m.textCleaning()).read(data);
        int[] text = corpus.codePoints();
        for (int i = 0; i < text.length; i++) {
            if (!m.vocabulary().contains(text[i])) {
                throw new IllegalArgumentException(corpus.locate(i) + ": character "
                        + Vocabulary.describe(text[i]) + " is not in the model's vocabulary (it"
                        + " never saw it in training); eval scores text made of the model's characters only");
            }
        }
        EvaluationResult r;
        try (CharLstmModel lstm = CharLstmModel.load(pkg, model.runtimeOptions())) {
            r = lstm.evaluate(corpus.text(), options); // a text the model cannot score is a failure (1), not usage
        }
        Provenance p = m.provenance();
        boolean sameText = corpus.sha256().equals(p.corpusSha256());
        boolean recordedSettings = !all && window == 0 && heldOut == null;
        Double recorded = sameText && recordedSettings ? p.valLoss() : null;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.describe());
            j.put("precision", m.precision());
            j.put("data", data.toString());
            j.put("corpus_sha256", corpus.sha256());
            j.put("same_corpus_as_training", sameText);
            j.put("scored", m.lines() ? (all ? "every item" : "held-out items") : all ? "whole text" : "held-out tail");
            j.put("first_index", r.firstIndex());
            j.put("text_characters", r.textLength());
            j.put("characters", r.characters());
            j.put("windows", r.windows());
            j.put("window", r.window());
            j.put("nats_per_char", r.natsPerCharacter());
            j.put("bits_per_char", r.bitsPerCharacter());
            j.put("recorded_nats_per_char", recorded);
            j.put("difference", recorded == null ? null : r.natsPerCharacter() - recorded);
            j.put("graph", r.graph());
            j.put("seconds", r.nanos() / 1e9);
            out.println(new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeNulls()
                    .create()
                    .toJson(j));
            return 0;
        }
        out.printf("model        %s (%s, %s)%n", model.describe(), m.shape(), m.precision());
        if (m.lines()) {
            out.printf(
                    "data         %s: %d items after cleaning, sha256 %s%s%n",
                    data,
                    r.textLength(),
                    corpus.sha256(),
                    sameText
                            ? " (the list it was trained on)"
                            : p.corpusSha256() == null ? "" : " (not the list it was trained on)");
            out.printf(
                    "scored       %s: %d items, %d characters with their ends, each from the start state (%s graph,"
                            + " %.2f s)%n",
                    all ? "every item" : "the held-out items", r.windows(), r.characters(), r.graph(), r.nanos() / 1e9);
        } else {
            printTextScope(out, r, corpus, sameText, p);
        }
        out.printf("loss         %.4f nats/char (%.4f bits/char)%n", r.natsPerCharacter(), r.bitsPerCharacter());
        if (recorded != null) {
            out.printf(
                    "recorded     %.4f nats/char in the manifest%s (difference %+.2e)%n",
                    recorded,
                    m.quantization() == null ? "" : ", measured by the trainer on its float32 source",
                    r.natsPerCharacter() - recorded);
        }
        return 0;
    }

    private void printTextScope(PrintWriter out, EvaluationResult r, Corpus corpus, boolean sameText, Provenance p) {
        out.printf(
                "data         %s: %d characters after cleaning, sha256 %s%s%n",
                data,
                r.textLength(),
                corpus.sha256(),
                sameText
                        ? " (the corpus it was trained on)"
                        : p.corpusSha256() == null ? "" : " (not the corpus it was trained on)");
        out.printf(
                "scored       %s: characters %d..%d, %d windows of %d from zero state (%s graph, %.2f s)%n",
                all ? "the whole text" : "the held-out tail",
                r.firstIndex(),
                r.textLength() - 1,
                r.windows(),
                r.window(),
                r.graph(),
                r.nanos() / 1e9);
    }
}
