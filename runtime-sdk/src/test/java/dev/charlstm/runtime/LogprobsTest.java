package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Logprobs: each generated character's log-probability is log_softmax of the logits the stream held before it
 * (read back through snapshots), whatever the sampling; the top alternatives are the most likely characters in
 * order; callbacks and results carry the same values; a text's scores agree with {@link CharLstmModel#evaluate}.
 */
class LogprobsTest {

    @Test
    void generatedCharactersCarryTheLogSoftmaxOfTheLogitsTheyWereSampledFrom() {
        for (String fixture : new String[] {"fixtures/tiny-v2", "fixtures/tiny-int8"}) {
            try (CharLstmModel model = CharLstmModel.loadResource(fixture, RuntimeOptions.DEFAULT)) {
                GenerationOptions options = GenerationOptions.builder()
                        .maxCharacters(40)
                        .seed(3)
                        .temperature(1.3f)
                        .topK(5)
                        .logprobs(true)
                        .topLogprobs(3)
                        .build();
                List<CharacterLogprob> streamed = new ArrayList<>();
                GenerationResult r = model.generate("the whale ", options, new CharacterCallback() {
                    @Override
                    public boolean onCharacter(String character) {
                        throw new AssertionError("the logprob form must be called");
                    }

                    @Override
                    public boolean onCharacter(String character, CharacterLogprob logprob) {
                        assertEquals(character, logprob.character());
                        streamed.add(logprob);
                        return true;
                    }
                });
                assertEquals(streamed, r.logprobs());
                assertEquals(
                        r.text().codePointCount(0, r.text().length()),
                        r.logprobs().size());
                // the same text without logprobs: asking for them changes no draw
                assertEquals(
                        model.generate(
                                        "the whale ",
                                        options.toBuilder()
                                                .logprobs(false)
                                                .topLogprobs(0)
                                                .build())
                                .text(),
                        r.text());
                Vocabulary v = model.manifest().vocabulary();
                try (GenerationStream s = model.newStream()) {
                    s.feed("the whale ");
                    for (CharacterLogprob lp : r.logprobs()) {
                        double[] expected = Fixtures.logSoftmax(s.snapshot().logits());
                        int id = v.idOf(lp.character().codePointAt(0));
                        assertEquals(expected[id], lp.logprob(), 1e-5, fixture);
                        assertEquals(3, lp.topLogprobs().size());
                        double previous = 0;
                        for (CharacterLogprob alt : lp.topLogprobs()) {
                            int a = v.idOf(alt.character().codePointAt(0));
                            assertEquals(expected[a], alt.logprob(), 1e-5);
                            assertTrue(alt.logprob() <= previous);
                            previous = alt.logprob();
                        }
                        for (double x : expected) { // nothing outside the top 3 is more likely than the third
                            assertTrue(x <= lp.topLogprobs().get(2).logprob() + 1e-12
                                    || lp.topLogprobs().stream().anyMatch(alt -> Math.abs(alt.logprob() - x) < 1e-12));
                        }
                        s.feed(lp.character());
                    }
                }
            }
        }
    }

    @Test
    void aStopSequenceTakesItsLogprobsWithIt() {
        try (CharLstmModel model = Fixtures.tiny()) {
            GenerationOptions all = GenerationOptions.builder()
                    .maxCharacters(60)
                    .seed(1)
                    .logprobs(true)
                    .build();
            GenerationResult free = model.generate("the ", all);
            String text = free.text();
            String stop = text.substring(10, 12);
            GenerationResult stopped =
                    model.generate("the ", all.toBuilder().stopSequences(stop).build());
            assertEquals(FinishReason.STOP_SEQUENCE, stopped.finishReason());
            int n = stopped.text().codePointCount(0, stopped.text().length());
            assertEquals(n, stopped.logprobs().size());
            assertEquals(free.logprobs().subList(0, n), stopped.logprobs());
        }
    }

    @Test
    void batchesDeliverEachRequestsLogprobsToItsIndex() {
        try (CharLstmModel model = Fixtures.tiny()) {
            List<GenerationRequest> requests = List.of(
                    GenerationRequest.of(
                            "the ",
                            GenerationOptions.builder()
                                    .maxCharacters(20)
                                    .seed(1)
                                    .logprobs(true)
                                    .build()),
                    GenerationRequest.of(
                            "a whale",
                            GenerationOptions.builder()
                                    .maxCharacters(20)
                                    .seed(2)
                                    .build()));
            List<List<CharacterLogprob>> seen = List.of(new ArrayList<>(), new ArrayList<>());
            List<GenerationResult> results = model.generateBatch(requests, new BatchCharacterCallback() {
                @Override
                public boolean onCharacter(int stream, String character) {
                    return true;
                }

                @Override
                public boolean onCharacter(int stream, String character, CharacterLogprob logprob) {
                    if (logprob != null) {
                        seen.get(stream).add(logprob);
                    }
                    return true;
                }
            });
            assertEquals(results.get(0).logprobs(), seen.get(0));
            assertEquals(20, seen.get(0).size());
            assertEquals(List.of(), seen.get(1));
            assertEquals(List.of(), results.get(1).logprobs());
        }
    }

    @Test
    void aTextsLogprobsSumToMinusTheLossEvaluateReports() {
        try (CharLstmModel model = CharLstmModel.loadResource("fixtures/tiny-int8", RuntimeOptions.DEFAULT)) {
            String text = "the whale swam deep and the sea was calm. ".repeat(8); // 336 > one 256-step call
            List<CharacterLogprob> scores = model.logprobs(text, 2);
            int n = text.codePointCount(0, text.length());
            assertEquals(n - 1, scores.size());
            double sum = 0;
            for (CharacterLogprob lp : scores) {
                sum += lp.logprob();
                assertEquals(2, lp.topLogprobs().size());
            }
            EvaluationResult e = model.evaluate(
                    text,
                    EvaluationOptions.builder().window(n - 1).wholeText(true).build());
            assertEquals(e.natsPerCharacter(), -sum / (n - 1), 1e-9);
            // and each equals what a stream fed the text so far holds
            try (GenerationStream s = model.newStream()) {
                s.feed(text.substring(0, 1));
                for (int i = 1; i < 40; i++) {
                    double[] expected = Fixtures.logSoftmax(s.snapshot().logits());
                    int id = model.manifest().vocabulary().idOf(text.codePointAt(i));
                    assertEquals(expected[id], scores.get(i - 1).logprob(), 1e-6);
                    s.feed(text.substring(i, i + 1));
                }
            }
            assertEquals(List.of(), model.logprobs("t", 0));
            assertThrows(UnknownCharacterException.class, () -> model.logprobs("the Whale", 0));
        }
    }

    @Test
    void topLogprobsWithoutLogprobsIsRefusedByName() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> GenerationOptions.builder().topLogprobs(2).build());
        assertTrue(e.getMessage().contains("logprobs(true)"), e.getMessage());
    }

    @Test
    void aClosedModelThrowsItsOwnType() {
        CharLstmModel model = Fixtures.tiny();
        model.close();
        assertThrows(ModelClosedException.class, () -> model.generate("the ", GenerationOptions.DEFAULT));
        assertThrows(ModelClosedException.class, model::newStream);
    }
}
