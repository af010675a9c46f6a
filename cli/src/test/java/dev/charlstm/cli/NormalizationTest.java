package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One normal form for the project, NFC: a corpus written decomposed (e + U+0301) or precomposed trains the same
 * characters, and a prompt, a stop sequence or an evaluated text typed either way works; packages from before keep
 * seeing text as given.
 */
class NormalizationTest {

    @TempDir
    Path dir;

    private static final String TEXT = "Le café est fermé. L'été, la forêt était calme. ";

    @Test
    void eitherFormOfTheCorpusAndOfThePromptWorks() throws IOException {
        for (Normalizer.Form corpusForm : new Normalizer.Form[] {Normalizer.Form.NFD, Normalizer.Form.NFC}) {
            Path data = Files.createDirectories(dir.resolve("data-" + corpusForm));
            Files.writeString(data.resolve("a.txt"), Normalizer.normalize(TEXT.repeat(60), corpusForm));
            Path run = dir.resolve("run-" + corpusForm);
            Cli.Result train = Cli.run(Cli.tinyTraining(
                    data.toString(), run.toString(), "40", "--eval-interval", "40", "--sample-length", "0"));
            assertEquals(0, train.code(), train.err());
            ModelPackage pkg = ModelPackage.read(run.resolve("model"));
            assertEquals(ModelManifest.NFC, pkg.manifest().unicodeNormalization());
            assertTrue(pkg.manifest().vocabulary().contains('é'), "trained on composed characters");
            assertTrue(!pkg.manifest().vocabulary().contains(0x301), "no lone combining accent");
            for (Normalizer.Form promptForm : new Normalizer.Form[] {Normalizer.Form.NFD, Normalizer.Form.NFC}) {
                String prompt = Normalizer.normalize("Le café ", promptForm);
                Cli.Result g = Cli.run(
                        "generate",
                        "--model",
                        run.resolve("model").toString(),
                        "--seed",
                        "1",
                        "--max-chars",
                        "20",
                        prompt);
                assertEquals(0, g.code(), corpusForm + " corpus, " + promptForm + " prompt: " + g.err());
            }
            try (CharLstmModel model = CharLstmModel.load(run.resolve("model"))) {
                GenerationOptions o =
                        GenerationOptions.builder().maxCharacters(200).seed(2).build();
                assertEquals(
                        model.generate(Normalizer.normalize("L'été ", Normalizer.Form.NFC), o)
                                .text(),
                        model.generate(Normalizer.normalize("L'été ", Normalizer.Form.NFD), o)
                                .text(),
                        "one prompt, typed two ways");
                // a stop sequence typed decomposed stops generated (composed) text
                GenerationOptions stop = o.toBuilder()
                        .stopSequences(Normalizer.normalize("é", Normalizer.Form.NFD))
                        .build();
                assertTrue(
                        !model.generate("Le caf", stop.toBuilder().greedy(true).build())
                                .text()
                                .contains("é"));
                EvaluationOptions all =
                        EvaluationOptions.builder().wholeText(true).window(32).build();
                assertEquals(
                        model.evaluate(Normalizer.normalize(TEXT.repeat(4), Normalizer.Form.NFC), all)
                                .natsPerCharacter(),
                        model.evaluate(Normalizer.normalize(TEXT.repeat(4), Normalizer.Form.NFD), all)
                                .natsPerCharacter(),
                        0.0,
                        "eval of either form");
            }
        }
    }

    @Test
    void aPackageFromBeforeNormalisationSeesTextAsGiven() {
        // The format-1 package of the shipped model records no normalisation: a decomposed é stays two code points
        Path v1 = Path.of("src/test/resources/packages/moby-dick-v1");
        assertEquals(null, ModelPackage.read(v1).manifest().unicodeNormalization());
        Cli.Result r = Cli.run(
                "generate",
                "--model",
                v1.toString(),
                "--max-chars",
                "5",
                Normalizer.normalize("Caf\u00e9 ", Normalizer.Form.NFD));
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("U+0301"), r.err());
    }
}
