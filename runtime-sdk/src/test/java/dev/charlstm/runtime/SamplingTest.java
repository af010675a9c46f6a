package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sampling on a model whose distribution is fixed: p(a..f) = 0.4, 0.3, 0.15, 0.1, 0.04, 0.01. */
class SamplingTest {

    private static CharLstmModel model;

    @BeforeAll
    static void load() {
        model = Fixtures.controlled();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static String generate(GenerationOptions.Builder options) {
        return model.generate("a", options.build()).text();
    }

    private static int[] counts(String text) {
        int[] n = new int[6];
        text.chars().forEach(ch -> n[ch - 'a']++);
        return n;
    }

    @Test
    void multinomialFollowsTheDistribution() {
        int[] n = counts(
                generate(GenerationOptions.builder().maxCharacters(20_000).seed(1)));
        double[] p = {0.4, 0.3, 0.15, 0.1, 0.04, 0.01};
        for (int i = 0; i < 6; i++) {
            double expected = p[i] * 20_000;
            assertTrue(
                    Math.abs(n[i] - expected) < 5 * Math.sqrt(expected),
                    "count of " + (char) ('a' + i) + ": " + n[i] + " vs " + expected);
        }
    }

    @Test
    void topKNeverLeavesTheKMostLikely() {
        int[] n = counts(generate(
                GenerationOptions.builder().maxCharacters(5_000).topK(2).seed(2)));
        assertEquals(0, n[2] + n[3] + n[4] + n[5]);
        assertTrue(n[0] > n[1] && n[1] > 1_500, "a and b in about 4:3, got " + n[0] + ":" + n[1]);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        int[] two = counts(generate(
                GenerationOptions.builder().maxCharacters(5_000).topP(0.69f).seed(3)));
        assertEquals(0, two[2] + two[3] + two[4] + two[5], "0.4 + 0.3 reaches 0.69");
        int[] three = counts(generate(
                GenerationOptions.builder().maxCharacters(5_000).topP(0.71f).seed(3)));
        assertEquals(0, three[3] + three[4] + three[5]);
        assertTrue(three[2] > 500, "c joins the nucleus above 0.7: " + three[2]);
    }

    @Test
    void greedyEqualsTopKOneEqualsTemperatureNearZero() {
        String greedy = generate(GenerationOptions.builder().maxCharacters(50).greedy(true));
        assertEquals("a".repeat(50), greedy);
        assertEquals(
                greedy,
                generate(GenerationOptions.builder().maxCharacters(50).topK(1).seed(9)));
        assertEquals(
                greedy,
                generate(GenerationOptions.builder()
                        .maxCharacters(50)
                        .temperature(1e-4f)
                        .seed(9)));
    }

    @Test
    void temperatureFlattensAndSharpens() {
        int[] hot = counts(generate(GenerationOptions.builder()
                .maxCharacters(10_000)
                .temperature(5f)
                .seed(4)));
        int[] cold = counts(generate(GenerationOptions.builder()
                .maxCharacters(10_000)
                .temperature(0.5f)
                .seed(4)));
        assertTrue(hot[5] > 800, "T=5 lifts the rarest from 1% to ~10%: " + hot[5]);
        assertTrue(cold[0] > 5_000 && cold[5] < 20, "T=0.5 squares the odds: a " + cold[0] + ", f " + cold[5]);
    }

    @Test
    void repetitionPenaltyAvoidsRecentCharacters() {
        // Logits are all negative (ln p), so the penalty multiplies them: a seen character drops behind unseen ones.
        // The prompt "f" counts as seen; greedy then walks a, b, c, d, e before a comes back.
        String text = model.generate(
                        "f",
                        GenerationOptions.builder()
                                .maxCharacters(6)
                                .greedy(true)
                                .repetitionPenalty(100f)
                                .build())
                .text();
        assertEquals("abcdea", text);
    }
}
