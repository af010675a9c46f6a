package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streams of many threads sharing graph calls through the scheduler, on a small trained model. */
class ContinuousBatchingTest {

    private static CharLstmModel alone;

    @BeforeAll
    static void load() {
        alone = CharLstmModel.loadResource(
                "fixtures/tiny",
                RuntimeOptions.builder().continuousBatching(false).build());
    }

    @AfterAll
    static void close() {
        alone.close();
    }

    private static CharLstmModel shared() {
        return CharLstmModel.loadResource("fixtures/tiny", RuntimeOptions.DEFAULT);
    }

    private static GenerationOptions opts(long seed, int length) {
        return GenerationOptions.builder()
                .seed(seed)
                .maxCharacters(length)
                .temperature(0.9f)
                .build();
    }

    @Test
    void sixteenThreadsTimesTwoHundredStreamsWriteTheirSingleThreadedTexts() throws Exception {
        int threads = 16;
        int perThread = 200;
        Random r = new Random(5);
        int[] lengths = new int[threads * perThread];
        String[] expected = new String[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = 1 + r.nextInt(80); // rows join and leave at every character boundary
            expected[i] = alone.generate("the sea ", opts(i, lengths[i])).text();
        }
        try (CharLstmModel model = shared()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<String>>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t * perThread;
                    futures.add(pool.submit(() -> {
                        List<String> texts = new ArrayList<>();
                        for (int i = first; i < first + perThread; i++) {
                            texts.add(model.generate("the sea ", opts(i, lengths[i]))
                                    .text());
                        }
                        return texts;
                    }));
                }
                for (int t = 0; t < threads; t++) {
                    List<String> texts = futures.get(t).get(120, TimeUnit.SECONDS);
                    for (int k = 0; k < perThread; k++) {
                        assertEquals(expected[t * perThread + k], texts.get(k), "thread " + t + ", stream " + k);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            long[] counts = model.schedulerCounts();
            assertTrue(
                    counts[1] > 2 * counts[0],
                    "rows shared graph calls: " + counts[1] + " rows in " + counts[0] + " calls");
            assertEquals(0, model.liveRows(), "every stream's buffers were freed");
        }
    }

    @Test
    void aLongStreamIsUnaffectedByRowsJoiningAndLeavingAroundIt() throws Exception {
        String expected = alone.generate("a ship ", opts(99, 1500)).text();
        try (CharLstmModel model = shared()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                Future<String> longOne = pool.submit(
                        () -> model.generate("a ship ", opts(99, 1500)).text());
                List<Future<String>> shortOnes = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    int seed = i;
                    shortOnes.add(pool.submit(() ->
                            model.generate("the ", opts(seed, 5 + seed % 30)).text()));
                }
                for (int i = 0; i < 60; i++) {
                    assertEquals(
                            alone.generate("the ", opts(i, 5 + i % 30)).text(),
                            shortOnes.get(i).get(60, TimeUnit.SECONDS));
                }
                assertEquals(expected, longOne.get(60, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void cancellingOneRowLeavesTheOthersUntouched() throws Exception {
        int threads = 6;
        try (CharLstmModel model = shared()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<GenerationStream> streams = new ArrayList<>();
            try {
                CountDownLatch started = new CountDownLatch(threads);
                List<Future<GenerationResult>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    GenerationStream s = model.newStream();
                    streams.add(s);
                    int seed = t;
                    int length = t == 0 ? Integer.MAX_VALUE : 3000;
                    futures.add(pool.submit(() -> s.generate("the whale ", opts(seed, length), ch -> {
                        started.countDown();
                        return true;
                    })));
                }
                assertTrue(started.await(30, TimeUnit.SECONDS));
                streams.get(0).cancel();
                GenerationResult cancelled = futures.get(0).get(30, TimeUnit.SECONDS);
                assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
                for (int t = 1; t < threads; t++) {
                    GenerationResult r = futures.get(t).get(60, TimeUnit.SECONDS);
                    assertEquals(FinishReason.LENGTH, r.finishReason());
                    assertEquals(alone.generate("the whale ", opts(t, 3000)).text(), r.text(), "stream " + t);
                }
            } finally {
                streams.forEach(GenerationStream::close);
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aThrowingCallbackEndsOnlyItsOwnRow() throws Exception {
        RuntimeException boom = new RuntimeException("client went away");
        try (CharLstmModel model = shared()) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                List<Future<String>> futures = new ArrayList<>();
                for (int t = 0; t < 5; t++) {
                    int seed = t;
                    futures.add(pool.submit(() -> {
                        AtomicInteger n = new AtomicInteger();
                        return model.generate("the ", opts(seed, 400), ch -> {
                                    if (seed == 2 && n.incrementAndGet() == 50) {
                                        throw boom;
                                    }
                                    return true;
                                })
                                .text();
                    }));
                }
                ExecutionException e = assertThrows(
                        ExecutionException.class, () -> futures.get(2).get(60, TimeUnit.SECONDS));
                assertSame(boom, e.getCause());
                for (int t = 0; t < 5; t++) {
                    if (t != 2) {
                        assertEquals(
                                alone.generate("the ", opts(t, 400)).text(),
                                futures.get(t).get(60, TimeUnit.SECONDS));
                    }
                }
            } finally {
                pool.shutdownNow();
            }

            List<GenerationRequest> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                requests.add(GenerationRequest.of("the ", opts(i, 100)));
            }
            int[] calls = new int[4];
            List<GenerationResult> batch = model.generateBatch(requests, (i, ch) -> {
                if (i == 1 && ++calls[i] == 10) {
                    throw boom;
                }
                return true;
            });
            assertEquals(FinishReason.ERROR, batch.get(1).finishReason());
            assertSame(boom, batch.get(1).error());
            assertEquals(10, batch.get(1).text().length(), "the text up to the character whose callback threw");
            for (int i : new int[] {0, 2, 3}) {
                assertEquals(
                        alone.generate("the ", opts(i, 100)).text(),
                        batch.get(i).text());
                assertNull(batch.get(i).error());
            }
        }
    }

    @Test
    void closingTheModelWhileManyThreadsGenerateEndsEveryStreamClearlyAndFreesTheirBuffers() throws Exception {
        for (boolean batching : new boolean[] {true, false}) {
            CharLstmModel model = CharLstmModel.loadResource(
                    "fixtures/tiny",
                    RuntimeOptions.builder().continuousBatching(batching).build());
            int threads = 10;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch started = new CountDownLatch(threads);
                List<Future<GenerationResult>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    futures.add(pool.submit(() -> {
                        if (seed % 2 == 0) {
                            return model.generate("the ", opts(seed, Integer.MAX_VALUE), ch -> {
                                started.countDown();
                                return true;
                            });
                        }
                        started.countDown();
                        List<GenerationRequest> requests = List.of(
                                GenerationRequest.of("a ", opts(seed, 1 << 30)),
                                GenerationRequest.of("the ", opts(seed + 1, 1 << 30)));
                        return model.generateBatch(requests).get(0);
                    }));
                }
                assertTrue(started.await(30, TimeUnit.SECONDS));
                Thread.sleep(100);
                ExecutorService closer = Executors.newSingleThreadExecutor();
                try {
                    // returns after at most one step of each lane; bounded generously, not timed
                    closer.submit(model::close).get(30, TimeUnit.SECONDS);
                } finally {
                    closer.shutdownNow();
                }
                for (Future<GenerationResult> f : futures) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
                    assertEquals("the model is closed", e.getCause().getMessage());
                }
                assertEquals(0, model.liveRows(), "native buffers freed");
                assertThrows(IllegalStateException.class, model::newStream);
            } finally {
                pool.shutdownNow();
                model.close();
            }
        }
    }

    @Test
    void interruptingTheGeneratingThreadCancels() throws Exception {
        try (CharLstmModel model = shared()) {
            CountDownLatch started = new CountDownLatch(1);
            GenerationResult[] result = new GenerationResult[1];
            Thread t = new Thread(() -> result[0] = model.generate("the ", opts(1, Integer.MAX_VALUE), ch -> {
                started.countDown();
                return true;
            }));
            t.start();
            assertTrue(started.await(30, TimeUnit.SECONDS));
            t.interrupt();
            t.join(30_000);
            assertEquals(FinishReason.CANCELLED, result[0].finishReason());
        }
    }

    @Test
    void aHugeMaxRowsPerCallIsRefusedAndLanesFitTheBatchesThatCome() {
        assertThrows(
                IllegalArgumentException.class, () -> RuntimeOptions.builder().maxRowsPerCall(Integer.MAX_VALUE));
        try (CharLstmModel model = CharLstmModel.loadResource(
                "fixtures/tiny",
                RuntimeOptions.builder()
                        .maxRowsPerCall(RuntimeOptions.MAX_ROWS_PER_CALL_LIMIT)
                        .build())) {
            List<GenerationResult> two = model.generateBatch(List.of("the ", "a man "), opts(1, 20));
            assertEquals(
                    alone.generate("a man ", opts(2, 20)).text(), two.get(1).text());
            assertEquals(
                    alone.generate("the ", opts(1, 20)).text(),
                    model.generate("the ", opts(1, 20)).text(),
                    "the model still works after a batch");
        }
    }

    @Test
    void closingAStreamFromAnotherThreadNeverLeaksItsBuffers() throws Exception {
        try (CharLstmModel model = shared()) {
            for (int t = 0; t < 300; t++) {
                GenerationStream s = model.newStream();
                CountDownLatch running = new CountDownLatch(1);
                Thread user = new Thread(() -> {
                    running.countDown();
                    try {
                        while (true) {
                            s.reset();
                        }
                    } catch (RuntimeException expected) {
                        // closed, or in use by the closing thread for a moment
                    }
                });
                user.start();
                running.await();
                s.close();
                user.join(10_000);
            }
            assertEquals(0, model.liveRows(), "every closed stream's buffers were freed, whoever held it");
        }
    }

    @Test
    void aStaleIteratorFailsOnItsFirstTouchEvenWithCharactersInHand() {
        try (CharLstmModel model = shared();
                GenerationStream s = model.newStream()) {
            s.feed("the ");
            GenerationIterator it =
                    s.characters(opts(1, 100).toBuilder().stopSequences("zzz").build());
            it.next();
            assertTrue(it.hasNext(), "100 characters asked, one taken");
            s.generate(opts(2, 5), ch -> true);
            assertThrows(IllegalStateException.class, it::hasNext);
            assertThrows(IllegalStateException.class, it::next);
        }
    }

    @Test
    void aLoneStreamAmongBlockedOnesWaitsAtMostHalfACallPerStep() throws Exception {
        // Three streams sit in callbacks that block; the fourth must still finish, with the same text.
        try (CharLstmModel model = shared()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(3);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                for (int t = 0; t < 3; t++) {
                    int seed = t;
                    var unused = pool.submit(() -> model.generate("the ", opts(seed, 5), ch -> {
                        blocked.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return true;
                    }));
                }
                assertTrue(blocked.await(30, TimeUnit.SECONDS));
                assertEquals(
                        alone.generate("a ship ", opts(7, 300)).text(),
                        model.generate("a ship ", opts(7, 300)).text());
            } finally {
                release.countDown();
                pool.shutdown();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
        }
    }
}
