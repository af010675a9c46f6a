package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every bad value is an IllegalArgumentException from build() that names it: never a NullPointerException. */
class GenerationOptionsTest {

    @Test
    void badValuesAreNamedByBuild() {
        assertEquals(
                "stop sequence 1 (0-based) is null",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GenerationOptions.builder()
                                        .stopSequences(Arrays.asList("the", null))
                                        .build())
                        .getMessage());
        assertEquals(
                "the stop sequences are null (give an empty list for none)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GenerationOptions.builder()
                                        .stopSequences((List<String>) null)
                                        .build())
                        .getMessage());
        assertEquals(
                "the replacement U+110000 is not a Unicode character (a code point up to U+10FFFF, not a"
                        + " surrogate)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GenerationOptions.builder()
                                        .replacement(0x110000)
                                        .build())
                        .getMessage());
        assertEquals(
                "the replacement U+D800 is not a Unicode character (a code point up to U+10FFFF, not a" + " surrogate)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GenerationOptions.builder()
                                        .replacement(0xD800)
                                        .build())
                        .getMessage());
        assertEquals(
                List.of("a", "b"),
                GenerationOptions.builder().stopSequences("a", "b").build().stopSequences());
    }
}
