package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streaming generation on a small trained model, with real ONNX Runtime. */
class GenerationStreamTest {

    private static CharLstmModel model;

    @BeforeAll
    static void load() {
        model = Fixtures.tiny();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationOptions.Builder opts() {
        return GenerationOptions.builder().maxCharacters(120).seed(11);
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
        String a = model.generate("the whale ", opts().build()).text();
        String b = model.generate("the whale ", opts().build()).text();
        String c = model.generate("the whale ", opts().seed(12).build()).text();
        assertEquals(120, a.codePointCount(0, a.length()));
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void callbackReceivesEveryCharacterAsItIsSampled() {
        List<String> seen = new ArrayList<>();
        GenerationResult r = model.generate("call me ", opts().build(), ch -> seen.add(ch));
        assertEquals(r.text(), String.join("", seen));
        assertTrue(seen.stream().allMatch(s -> s.codePointCount(0, s.length()) == 1));
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(120, r.generatedCharacters());
        assertEquals(8, r.promptCharacters());
        assertTrue(r.firstCharacterNanos() > 0 && r.firstCharacterNanos() <= r.elapsedNanos());
    }

    @Test
    void aCallbackReturningFalseCancels() {
        List<String> seen = new ArrayList<>();
        GenerationResult r = model.generate("the ", opts().build(), ch -> seen.add(ch) && seen.size() < 7);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(7, seen.size());
        assertEquals(7, r.text().length());
    }

    @Test
    void theStreamContinuesFromItsState() {
        GenerationOptions greedy =
                GenerationOptions.builder().greedy(true).maxCharacters(30).build();
        String whole = model.generate(
                        "a ship ", greedy.toBuilder().maxCharacters(60).build())
                .text();
        try (GenerationStream s = model.newStream()) {
            String first = s.generate("a ship ", greedy, ch -> true).text();
            String second = s.generate(greedy, ch -> true).text();
            assertEquals(whole, first + second);
        }
    }

    @Test
    void stopSequencesEndGenerationAndAreNotEmittedUnlessAsked() {
        GenerationOptions free = opts().maxCharacters(200).build();
        String text = model.generate("the sea ", free).text();
        String stop = text.substring(20, 22); // two characters: the match spans two callbacks
        int at = text.indexOf(stop);
        List<String> seen = new ArrayList<>();
        GenerationResult r = model.generate(
                "the sea ", free.toBuilder().stopSequences("zzz", stop).build(), seen::add);
        assertEquals(FinishReason.STOP_SEQUENCE, r.finishReason());
        assertEquals(text.substring(0, at), r.text());
        assertEquals(r.text(), String.join("", seen), "the stop sequence never reached the callback");
        assertEquals(at + 2, r.generatedCharacters());

        GenerationResult emitted = model.generate(
                "the sea ",
                free.toBuilder().stopSequences(stop).emitStopSequence(true).build());
        assertEquals(text.substring(0, at + 2), emitted.text());

        GenerationResult none =
                model.generate("the sea ", free.toBuilder().stopSequences("qqq").build());
        assertEquals(text, none.text(), "held-back prefixes are flushed when no stop sequence completes");
    }

    @Test
    void unknownCharactersFollowThePolicy() {
        UnknownCharacterException e =
                assertThrows(UnknownCharacterException.class, () -> model.generate("the Zeal", opts().build()));
        assertEquals('Z', e.codePoint());
        assertEquals(4, e.index());
        assertTrue(e.getMessage().contains("U+005A 'Z' at index 4"), e.getMessage());

        String skipped = model.generate(
                        "the Zeal",
                        opts().unknownCharacters(UnknownCharacterPolicy.SKIP).build())
                .text();
        assertEquals(model.generate("the eal", opts().build()).text(), skipped);

        String replaced =
                model.generate("the Zeal", opts().replacement('s').build()).text();
        assertEquals(model.generate("the seal", opts().build()).text(), replaced);

        assertThrows(
                IllegalArgumentException.class,
                () -> model.generate("the Zeal", opts().replacement('Q').build()));
    }

    @Test
    void snapshotAndRestoreReproduceTheContinuation() {
        try (GenerationStream s = model.newStream();
                GenerationStream other = model.newStream()) {
            s.feed("the captain ");
            StreamState saved = s.snapshot();
            String first = s.generate(opts().build(), ch -> true).text();
            s.restore(saved);
            assertEquals(first, s.generate(opts().build(), ch -> true).text());
            other.restore(saved);
            assertEquals(first, other.generate(opts().build(), ch -> true).text(), "a fork in another stream");
            s.reset();
            assertThrows(IllegalStateException.class, () -> s.generate(opts().build(), ch -> true));
        }
    }

    @Test
    void thePullFormsYieldTheSameCharacters() {
        String pushed = model.generate("the whale ", opts().build()).text();
        try (GenerationStream s = model.newStream()) {
            s.feed("the whale ");
            StreamState start = s.snapshot();
            StringBuilder pulled = new StringBuilder();
            s.characters(opts().build()).forEachRemaining(pulled::append);
            assertEquals(pushed, pulled.toString());
            s.restore(start);
            assertEquals(pushed, s.stream(opts().build()).collect(Collectors.joining()));
        }
    }

    @Test
    void aThrowingCallbackReachesTheCallerUnchangedAndTheStreamStaysUsable() {
        IllegalStateException boom = new IllegalStateException("boom");
        try (GenerationStream s = model.newStream()) {
            int[] calls = {0};
            IllegalStateException thrown = assertThrows(
                    IllegalStateException.class,
                    () -> s.generate("the ", opts().build(), ch -> {
                        if (++calls[0] == 5) {
                            throw boom;
                        }
                        return true;
                    }));
            assertSame(boom, thrown);
            GenerationResult after = s.generate(opts().maxCharacters(10).build(), ch -> true);
            assertEquals(10, after.generatedCharacters());
        }
    }

    @Test
    void cancellationFromAnotherThreadIsPrompt() throws Exception {
        try (GenerationStream s = model.newStream()) {
            CountDownLatch started = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<GenerationResult> f = pool.submit(() -> s.generate(
                        "the ", opts().maxCharacters(Integer.MAX_VALUE).build(), ch -> {
                            started.countDown();
                            return true;
                        }));
                assertTrue(started.await(10, TimeUnit.SECONDS));
                s.cancel();
                GenerationResult r = f.get(10, TimeUnit.SECONDS);
                assertEquals(FinishReason.CANCELLED, r.finishReason());
                assertTrue(r.generatedCharacters() > 0);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aStreamUsedFromTwoThreadsAtOnceFailsFast() throws Exception {
        try (GenerationStream s = model.newStream()) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<GenerationResult> f = pool.submit(() -> s.generate("the ", opts().build(), ch -> {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }));
                assertTrue(inside.await(10, TimeUnit.SECONDS));
                ConcurrentModificationException e =
                        assertThrows(ConcurrentModificationException.class, () -> s.feed("more"));
                assertTrue(e.getMessage().contains("one thread at a time"), e.getMessage());
                release.countDown();
                assertEquals(FinishReason.CANCELLED, f.get(10, TimeUnit.SECONDS).finishReason());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void batchedGenerationEqualsOneByOne() {
        List<String> prompts = List.of("the whale ", "call me ", "a ", "the captain watched ");
        GenerationOptions options = opts().maxCharacters(80).stopSequences("..").build();
        List<String> streamed = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            streamed.add("");
        }
        List<GenerationResult> batch = model.generateBatch(prompts, options, (i, ch) -> {
            streamed.set(i, streamed.get(i) + ch);
            return true;
        });
        for (int i = 0; i < prompts.size(); i++) {
            GenerationResult alone = model.generate(
                    prompts.get(i), options.toBuilder().seed(options.seed() + i).build());
            assertEquals(alone.text(), batch.get(i).text(), "stream " + i);
            assertEquals(alone.finishReason(), batch.get(i).finishReason());
            assertEquals(alone.text(), streamed.get(i));
        }
        GenerationOptions greedy =
                GenerationOptions.builder().greedy(true).maxCharacters(40).build();
        List<GenerationResult> g = model.generateBatch(prompts, greedy);
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(model.generate(prompts.get(i), greedy).text(), g.get(i).text());
        }
    }

    @Test
    void manyThreadsShareOneModelAndGetTheirSingleThreadedOutputs() throws Exception {
        int tasks = 64;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            expected.add(model.generate("the sea ", opts().seed(i).build()).text());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                long seed = i;
                futures.add(pool.submit(() ->
                        model.generate("the sea ", opts().seed(seed).build()).text()));
            }
            for (int i = 0; i < tasks; i++) {
                assertEquals(expected.get(i), futures.get(i).get(60, TimeUnit.SECONDS), "task " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAbandonedPullNeverBlocksItsStream() {
        String whole = model.generate("the whale ", opts().build()).text();
        try (GenerationStream s = model.newStream()) {
            s.feed("the whale ");
            StreamState start = s.snapshot();
            assertEquals(
                    whole.substring(0, 10), s.stream(opts().build()).limit(10).collect(Collectors.joining()));
            s.restore(start); // the next call on the stream works
            assertEquals(
                    whole.substring(0, 1), s.stream(opts().build()).findFirst().orElseThrow());
            s.restore(start);
            StringBuilder seen = new StringBuilder();
            assertThrows(
                    IllegalStateException.class,
                    () -> s.stream(opts().build()).forEach(ch -> {
                        seen.append(ch);
                        if (seen.length() == 3) {
                            throw new IllegalStateException("consumer failed");
                        }
                    }));
            s.restore(start);
            GenerationIterator abandoned = s.characters(opts().build());
            assertEquals(whole.substring(0, 1), abandoned.next());
            s.restore(start);
            assertEquals(whole, s.generate(opts().build(), ch -> true).text(), "the stream works after all that");
            IllegalStateException e = assertThrows(IllegalStateException.class, abandoned::hasNext);
            assertTrue(e.getMessage().contains("has been used since"), e.getMessage());
        }
    }

    @Test
    void iteratorsAndStreamsCanBeClosedAndCancelled() {
        try (GenerationStream s = model.newStream()) {
            s.feed("the whale ");
            GenerationIterator it =
                    s.characters(opts().maxCharacters(Integer.MAX_VALUE).build());
            for (int i = 0; i < 5; i++) {
                it.next();
            }
            it.cancel();
            int more = 0;
            while (it.hasNext()) {
                it.next();
                more++;
            }
            assertTrue(more <= 1, "at most the character already sampled follows a cancel: " + more);
            assertEquals(FinishReason.CANCELLED, it.result().finishReason());

            GenerationIterator closed = s.characters(opts().build());
            closed.next();
            closed.close();
            assertTrue(!closed.hasNext());
            assertEquals(FinishReason.CANCELLED, closed.result().finishReason());

            Stream<String> stream = s.stream(opts().build());
            assertEquals(2, stream.limit(2).count());
            stream.close();
            assertEquals(
                    10, s.generate(opts().maxCharacters(10).build(), ch -> true).generatedCharacters());
        }
    }

    @Test
    void cancelWhileALongPromptIsFedReturnsPromptly() throws Exception {
        String prompt = "the sea and the ship ".repeat(20_000); // 420,000 characters: seconds to feed
        try (GenerationStream s = model.newStream()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<GenerationResult> f = pool.submit(() -> s.generate(prompt, opts().build(), ch -> true));
                Thread.sleep(100);
                s.cancel();
                GenerationResult r = f.get(30, TimeUnit.SECONDS);
                assertEquals(FinishReason.CANCELLED, r.finishReason());
                assertTrue(r.promptCharacters() < prompt.length(), "stopped while feeding: " + r.promptCharacters());
                assertEquals(0, r.generatedCharacters());
                Future<Integer> fed = pool.submit(() -> s.feed(prompt));
                Thread.sleep(100);
                s.cancel();
                assertTrue(fed.get(30, TimeUnit.SECONDS) < prompt.length(), "feed is cancellable too");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void theLengthLimitEmitsWhatAStopSequencePrefixHeldBack() {
        GenerationOptions greedy =
                GenerationOptions.builder().greedy(true).maxCharacters(30).build();
        String free = model.generate("the ", greedy).text();
        String stop = free.substring(26) + "#"; // the last four characters begin it; "#" never comes
        List<String> seen = new ArrayList<>();
        GenerationResult r =
                model.generate("the ", greedy.toBuilder().stopSequences(stop).build(), seen::add);
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(free, r.text());
        assertEquals(free, String.join("", seen));
    }
}
