package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
