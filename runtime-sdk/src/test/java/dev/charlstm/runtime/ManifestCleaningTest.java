package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The manifest's cleaning applied by the SDK on request: a prompt with line breaks, and a raw text with line breaks
 * and runs of spaces, work for a model trained without newlines.
 */
class ManifestCleaningTest {

    static final String RAW = "the whale\r\nswam   deep.\n\nthe sea was calm\tand the whale swam.\n";

    @Test
    void aPromptWithLineBreaksIsReadAsTheTrainingTextWasCleaned() {
        try (CharLstmModel model = Fixtures.tiny()) {
            assertFalse(model.manifest().keepNewlines());
            GenerationOptions o =
                    GenerationOptions.builder().maxCharacters(50).seed(2).build();
            assertThrows(
                    UnknownCharacterException.class,
                    () -> model.generate("the whale\nswam ", o),
                    "as given, a line break is a character the model never saw");
            GenerationResult cleaned = model.generate(
                    "the whale\nswam  ", o.toBuilder().cleanPrompt(true).build());
            assertEquals(model.generate("the whale swam ", o).text(), cleaned.text());
            assertEquals(15, cleaned.promptCharacters());
        }
    }

    @Test
    void aRawTextIsEvaluatedAsItsCleanedForm() {
        try (CharLstmModel model = Fixtures.tiny()) {
            String raw = RAW.repeat(4);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> model.evaluate(
                            raw,
                            EvaluationOptions.builder()
                                    .wholeText(true)
                                    .window(20)
                                    .build()));
            EvaluationResult e = model.evaluate(
                    raw,
                    EvaluationOptions.builder()
                            .wholeText(true)
                            .window(20)
                            .cleanText(true)
                            .build());
            EvaluationResult expected = model.evaluate(
                    model.manifest().textCleaning().clean(raw),
                    EvaluationOptions.builder().wholeText(true).window(20).build());
            assertEquals(expected.natsPerCharacter(), e.natsPerCharacter());
            assertEquals(expected.textLength(), e.textLength());
        }
    }
}
