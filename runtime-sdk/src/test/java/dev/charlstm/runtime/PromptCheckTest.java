package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What batch callers (a server, a Spark job) use to keep one bad request from failing the others. */
class PromptCheckTest {

    @Test
    void checkPromptRefusesWhatGenerateWouldRefuseAndNothingElse() {
        try (CharLstmModel model = Fixtures.tiny()) {
            GenerationOptions strict = GenerationOptions.DEFAULT;
            model.checkPrompt("the whale ", strict);
            UnknownCharacterException unknown =
                    assertThrows(UnknownCharacterException.class, () -> model.checkPrompt("the Whale", strict));
            assertEquals(4, unknown.index());
            IllegalArgumentException empty =
                    assertThrows(IllegalArgumentException.class, () -> model.checkPrompt("", strict));
            assertTrue(empty.getMessage().startsWith("the prompt is empty"), empty.getMessage());
            GenerationOptions skip = GenerationOptions.builder()
                    .unknownCharacters(UnknownCharacterPolicy.SKIP)
                    .build();
            model.checkPrompt("the Whale", skip);
            IllegalArgumentException allSkipped =
                    assertThrows(IllegalArgumentException.class, () -> model.checkPrompt("WXYZ", skip));
            assertTrue(
                    allSkipped.getMessage().contains("once unknown characters are skipped"), allSkipped.getMessage());
        }
    }

    @Test
    void anUnknownCharacterIsPlacedInThePromptAsCleanedWhenCleaningChangedIt() {
        try (CharLstmModel model = Fixtures.load(Fixtures.TINY_V2)) {
            GenerationOptions cleaning =
                    GenerationOptions.builder().cleanPrompt(true).build();
            String typed = "the   whale\n\n  Swam";
            String cleaned = model.manifest().textCleaning().cleanPrompt(typed);
            assertNotEquals(typed, cleaned, "this fixture's cleaning collapses runs of spaces and line breaks");
            UnknownCharacterException e =
                    assertThrows(UnknownCharacterException.class, () -> model.checkPrompt(typed, cleaning));
            assertEquals(cleaned, e.cleanedPrompt());
            assertEquals(cleaned.indexOf('S'), e.index(), "the index counts in the text the message quotes");
            assertTrue(e.getMessage().contains("of the prompt as cleaned (\"" + cleaned + "\")"), e.getMessage());
            UnknownCharacterException raw =
                    assertThrows(UnknownCharacterException.class, () -> model.checkPrompt("the Whale", cleaning));
            assertNull(raw.cleanedPrompt(), "nothing to quote when cleaning changed nothing");
            IllegalArgumentException blank =
                    assertThrows(IllegalArgumentException.class, () -> model.checkPrompt("  \n\n  ", cleaning));
            assertTrue(
                    blank.getMessage().startsWith("the prompt is empty once cleaned (it holds only spaces and line"),
                    blank.getMessage());
        }
    }

    @Test
    void aPackageRebuiltFromItsBytesIsTheSamePackage() {
        ModelPackage pkg = ModelPackage.read(getClass().getClassLoader(), "fixtures/tiny-v2");
        byte[] vocab = pkg.manifestJson().getBytes(StandardCharsets.UTF_8);
        ModelPackage copy = ModelPackage.read(vocab, pkg.modelBytes(), pkg.sequenceBytes(), "copy");
        assertEquals(pkg.manifest().modelSha256(), copy.manifest().modelSha256());
        assertEquals(pkg.manifest().sequenceSha256(), copy.manifest().sequenceSha256());
        assertArrayEquals(pkg.sequenceBytes(), copy.sequenceBytes());
        PackageException missing =
                assertThrows(PackageException.class, () -> ModelPackage.read(vocab, pkg.modelBytes(), null, "copy"));
        assertEquals("copy/sequence.onnx: missing from the model package", missing.getMessage());
        PackageException tampered = assertThrows(
                PackageException.class,
                () -> ModelPackage.read(vocab, pkg.sequenceBytes(), pkg.sequenceBytes(), "copy"));
        assertTrue(tampered.getMessage().startsWith("copy/model.onnx: SHA-256"), tampered.getMessage());
    }
}
