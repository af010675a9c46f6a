package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a Java developer types first: doubles for the sampling parameters, temperature 0 as greedy (as the server and
 * OpenAI's API mean it), a one-argument {@code loadResource}, a pull form that takes a prompt, and a typed exception
 * naming the dependency swap when a GPU is asked for and the CPU build of ONNX Runtime is on the classpath.
 */
class ApiConveniencesTest {

    @Test
    void samplingParametersTakeDoublesAndTemperatureZeroIsGreedy() {
        GenerationOptions o = GenerationOptions.builder()
                .temperature(0.8)
                .topP(0.95)
                .repetitionPenalty(1.1)
                .build();
        assertEquals(0.8f, o.sampling().temperature());
        assertEquals(0.95f, o.sampling().topP());
        assertEquals(1.1f, o.sampling().repetitionPenalty());
        GenerationOptions zero = GenerationOptions.builder()
                .temperature(0)
                .seed(3)
                .maxCharacters(40)
                .build();
        assertTrue(zero.sampling().greedy());
        try (CharLstmModel model = CharLstmModel.loadResource("fixtures/tiny")) {
            assertEquals(
                    model.generate(
                                    "the ",
                                    GenerationOptions.builder()
                                            .greedy(true)
                                            .maxCharacters(40)
                                            .build())
                            .text(),
                    model.generate("the ", zero).text());
            assertEquals(
                    model.generate("the ", zero).text(),
                    model.generate("the ", zero.toBuilder().seed(9).build()).text(),
                    "greedy: the seed does not matter");
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> GenerationOptions.builder().temperature(-0.1).build());
    }

    @Test
    void thePullFormTakesAPromptAndWritesWhatTheCallbackFormWrites() {
        GenerationOptions o =
                GenerationOptions.builder().maxCharacters(60).seed(4).build();
        try (CharLstmModel model = CharLstmModel.loadResource("fixtures/tiny");
                GenerationStream s = model.newStream()) {
            List<String> pulled = new ArrayList<>();
            try (GenerationIterator it = s.characters("the whale ", o)) {
                it.forEachRemaining(pulled::add);
                assertEquals(FinishReason.LENGTH, it.result().finishReason());
            }
            assertEquals(model.generate("the whale ", o).text(), String.join("", pulled));
            try (GenerationStream fresh = model.newStream()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> fresh.characters("", o));
                assertTrue(e.getMessage().contains("feed a prompt first, or give one"), e.getMessage());
            }
        }
    }

    @Test
    void aGpuWithoutCudaIsATypedExceptionNamingTheDependencySwapAndAutoFallsBack() {
        GpuUnavailableException e = assertThrows(
                GpuUnavailableException.class,
                () -> CharLstmModel.loadResource(
                        "fixtures/tiny",
                        RuntimeOptions.builder().device(DeviceChoice.GPU).build()));
        assertTrue(e.getMessage().contains("onnxruntime_gpu") && e.getMessage().contains("AUTO"), e.getMessage());
        try (CharLstmModel auto = CharLstmModel.loadResource(
                "fixtures/tiny",
                RuntimeOptions.builder().device(DeviceChoice.AUTO).build())) {
            assertEquals("CPU", auto.provider());
        }
    }
}
