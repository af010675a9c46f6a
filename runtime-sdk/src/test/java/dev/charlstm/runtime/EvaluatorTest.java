package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.pack.ModelPackage;
import org.junit.jupiter.api.Test;

/**
 * Windows longer than one graph call's chunk go through in chunks with their state carried over, so a long window
 * costs bounded memory and scores what stepping it scores: exactly for static-int8, to float rounding for float32.
 */
class EvaluatorTest {

    @Test
    void aWindowLongerThanAChunkScoresWhatSteppingItScores() {
        String text = PrefillTest.text(5000, 3);
        EvaluationOptions longWindows = EvaluationOptions.builder().wholeText(true).window(Evaluator.CHUNK * 2 + 37)
                .build();
        for (String fixture : new String[] {"fixtures/tiny-int8", "fixtures/tiny-v2"}) {
            ModelPackage pkg = ModelPackage.readResource(fixture, getClass().getClassLoader());
            try (CharLstmModel seq = CharLstmModel.load(pkg, RuntimeOptions.DEFAULT);
                    CharLstmModel step = CharLstmModel.load(ModelPackage.of(pkg.manifest(), pkg.modelBytes()),
                            RuntimeOptions.DEFAULT)) {
                EvaluationResult chunked = seq.evaluate(text, longWindows);
                EvaluationResult stepped = step.evaluate(text, longWindows);
                assertEquals("sequence", chunked.graph());
                assertEquals(EvaluationOptions.windows(5000, Evaluator.CHUNK * 2 + 37), chunked.windows());
                double bound = pkg.manifest().quantization() != null ? 0 : 1e-5;
                assertEquals(stepped.natsPerCharacter(), chunked.natsPerCharacter(), bound, fixture);
                EvaluationResult onePerCall = seq.evaluate(text, EvaluationOptions.builder().wholeText(true)
                        .window(Evaluator.CHUNK * 2 + 37).windowsPerCall(1).build());
                assertEquals(chunked.natsPerCharacter(), onePerCall.natsPerCharacter(), bound, fixture);
                assertTrue(chunked.natsPerCharacter() < Math.log(pkg.manifest().shape().vocabSize()));
            }
        }
    }
}
