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
        EvaluationOptions longWindows = EvaluationOptions.builder()
                .wholeText(true)
                .window(Evaluator.CHUNK * 2 + 37)
                .build();
        for (String fixture : new String[] {"fixtures/tiny-int8", "fixtures/tiny-v2"}) {
            ModelPackage pkg = ModelPackage.read(getClass().getClassLoader(), fixture);
            try (CharLstmModel seq = CharLstmModel.load(pkg, RuntimeOptions.DEFAULT);
                    CharLstmModel step = CharLstmModel.load(
                            ModelPackage.of(pkg.manifest(), pkg.modelBytes()), RuntimeOptions.DEFAULT)) {
                EvaluationResult chunked = seq.evaluate(text, longWindows);
                EvaluationResult stepped = step.evaluate(text, longWindows);
                assertEquals("sequence", chunked.graph());
                assertEquals(EvaluationOptions.windows(5000, Evaluator.CHUNK * 2 + 37), chunked.windows());
                double bound = pkg.manifest().quantization() != null ? 0 : 1e-5;
                assertEquals(stepped.natsPerCharacter(), chunked.natsPerCharacter(), bound, fixture);
                EvaluationResult onePerCall = seq.evaluate(
                        text,
                        EvaluationOptions.builder()
                                .wholeText(true)
                                .window(Evaluator.CHUNK * 2 + 37)
                                .windowsPerCall(1)
                                .build());
                assertEquals(chunked.natsPerCharacter(), onePerCall.natsPerCharacter(), bound, fixture);
                assertTrue(chunked.natsPerCharacter()
                        < Math.log(pkg.manifest().shape().vocabSize()));
            }
        }
    }

    /** What one call may hold is bounded by the budget, not by the window, the vocabulary or the windows asked for. */
    @Test
    void oneCallsLogitsAreBoundedWhateverTheOptions() {
        for (int window : new int[] {1, 128, 10_000, Integer.MAX_VALUE - 1}) {
            for (int v : new int[] {2, 80, 8_000, 200_000}) {
                for (int perCall : new int[] {1, 64, 1_000_000}) {
                    int[] shape = Evaluator.callShape(window, v, 1_000_000, perCall);
                    assertTrue(shape[0] >= 1 && shape[0] <= Evaluator.CHUNK && shape[1] >= 1);
                    assertTrue(
                            (long) shape[0] * shape[1] * v <= Math.max(Evaluator.LOGITS_BUDGET, (long) shape[0] * v),
                            window + " " + v + " " + perCall);
                }
            }
        }
        assertEquals(64, Evaluator.callShape(128, 80, 1000, 64)[1], "the usual case is unchanged");
    }
}
