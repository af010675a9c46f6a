package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property: for random option sets, every way of generating writes the same text with the same finish reason as
 * the callback form alone (continuous batching off): the iterator, the Java stream, a row of a batch in any
 * position, and a stream generating while other threads generate through the shared scheduler.
 */
class OneDecoderTest {

    private static final String ALPHABET = " .acdehilmnopstw"; // the tiny fixture's vocabulary

    private static CharLstmModel alone;
    private static CharLstmModel shared;

    @BeforeAll
    static void load() {
        alone = CharLstmModel.loadResource(
                "fixtures/tiny",
                RuntimeOptions.builder().continuousBatching(false).build());
        shared = CharLstmModel.loadResource(
                "fixtures/tiny", RuntimeOptions.builder().maxRowsPerCall(8).build());
    }

    @AfterAll
    static void close() {
        alone.close();
        shared.close();
    }

    /** A random request: sampling settings, 0-4 stop sequences of 1-4 characters (some taken from real output). */
    static GenerationRequest randomRequest(Random r) {
        String prompt = randomText(r, 1 + r.nextInt(30));
        GenerationOptions.Builder b =
                GenerationOptions.builder().seed(r.nextLong()).maxCharacters(1 + r.nextInt(200));
        switch (r.nextInt(4)) {
            case 0 -> b.greedy(true);
            case 1 -> b.temperature(0.3f + r.nextFloat() * 1.5f);
            case 2 -> b.topK(1 + r.nextInt(ALPHABET.length())).temperature(0.5f + r.nextFloat());
            default -> b.topP(0.3f + r.nextFloat() * 0.7f);
        }
        if (r.nextBoolean()) {
            b.repetitionPenalty(1f + r.nextFloat());
        }
        List<String> stops = new ArrayList<>();
        int n = r.nextInt(5);
        String sample = n == 0 ? "" : alone.generate(prompt, b.build()).text();
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(4);
            if (r.nextBoolean() && sample.length() > len) {
                int at = r.nextInt(sample.length() - len);
                stops.add(sample.substring(at, at + len)); // one that may well appear
            } else {
                stops.add(randomText(r, len));
            }
        }
        return GenerationRequest.of(
                prompt,
                b.stopSequences(stops).emitStopSequence(r.nextInt(4) == 0).build());
    }

    static String randomText(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Text and finish reason, the part of a result every form must agree on. */
    static String outcome(GenerationResult r) {
        return r.finishReason() + ":" + r.text();
    }

    @Test
    void everyFormWritesWhatTheCallbackFormWritesAlone() throws Exception {
        Random r = new Random(20261130);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            requests.add(randomRequest(r));
        }
        List<String> expected = new ArrayList<>();
        for (GenerationRequest q : requests) {
            List<String> seen = new ArrayList<>();
            GenerationResult res = alone.generate(q.prompt(), q.options(), seen::add);
            assertEquals(res.text(), String.join("", seen), "the callback saw what the result says");
            expected.add(outcome(res));
        }
        int lengthEndsWithHeldCharacters = 0;
        for (int i = 0; i < requests.size(); i++) {
            GenerationRequest q = requests.get(i);
            try (GenerationStream s = shared.newStream()) {
                s.feed(q.prompt());
                StreamState primed = s.snapshot();
                GenerationIterator it = s.characters(q.options());
                StringBuilder pulled = new StringBuilder();
                it.forEachRemaining(pulled::append);
                assertEquals(expected.get(i), it.result().finishReason() + ":" + pulled, "iterator, set " + i);
                s.restore(primed);
                assertEquals(
                        expected.get(i).substring(expected.get(i).indexOf(':') + 1),
                        s.stream(q.options()).collect(Collectors.joining()),
                        "stream, set " + i);
            }
            if (expected.get(i).startsWith("LENGTH")
                    && !q.options().stopSequences().isEmpty()) {
                lengthEndsWithHeldCharacters++;
            }
        }
        assertTrue(lengthEndsWithHeldCharacters > 10, "enough sets end by length while stop sequences are armed");

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, r);
        List<GenerationRequest> shuffled = order.stream().map(requests::get).collect(Collectors.toList());
        List<GenerationResult> batch = shared.generateBatch(shuffled);
        for (int k = 0; k < order.size(); k++) {
            assertEquals(expected.get(order.get(k)), outcome(batch.get(k)), "batch row " + k + ", set " + order.get(k));
        }

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (GenerationRequest q : requests) {
                futures.add(pool.submit(() -> outcome(shared.generate(q.prompt(), q.options()))));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(expected.get(i), futures.get(i).get(60, TimeUnit.SECONDS), "scheduled stream, set " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
