package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server through real HTTP on a loopback port, with the shipped static-int8 model (exact per row, so every
 * seeded answer must equal the SDK's own output), against the SDK.
 */
class CompletionServerTest {

    /** The shipped default model, read from the repository (tests run in server/). */
    static final Path MODEL =
            Path.of("../models/moby-dick-int8").toAbsolutePath().normalize();

    static CharLstmModel sdk;
    static CharLstmServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static synchronized void start() {
        if (sdk != null) {
            return;
        }
        sdk = CharLstmModel.load(MODEL);
        server = started(options(16, 16, 200, 2_000_000, 2, 600, 1, 10_000));
    }

    /** The old positional limits, through the builder (model id "moby"). */
    static ServerOptions options(
            int maxRows,
            int maxQueue,
            int maxPrompt,
            int maxTokens,
            int maxSessions,
            int idleSeconds,
            int drainSeconds,
            int flushMicros) {
        return ServerOptions.builder()
                .port(0)
                .modelId("moby")
                .maxRows(maxRows)
                .maxQueue(maxQueue)
                .maxPromptCharacters(maxPrompt)
                .maxTokens(maxTokens)
                .maxSessions(maxSessions)
                .sessionIdleSeconds(idleSeconds)
                .drainSeconds(drainSeconds)
                .flushMicros(flushMicros)
                .build();
    }

    static CharLstmServer started(ServerOptions options) {
        return CharLstmServer.start(options, CharLstmModel.load(MODEL));
    }

    @AfterAll
    static synchronized void stop() {
        if (sdk != null) {
            server.close();
            sdk.close();
            sdk = null;
        }
    }

    static HttpResponse<String> post(CharLstmServer s, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(CharLstmServer s, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> r) {
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    /** The data frames of an SSE body; asserts the framing and the final [DONE]. */
    static List<JsonObject> frames(String body) {
        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        List<JsonObject> out = new ArrayList<>();
        for (String event :
                body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n", -1)) {
            if (event.isEmpty() || event.startsWith(":")) {
                continue; // an SSE comment: the server's keep-alive
            }
            assertTrue(event.startsWith("data: ") && !event.contains("\n"), "one data line per event: " + event);
            out.add(JsonParser.parseString(event.substring(6)).getAsJsonObject());
        }
        return out;
    }

    /** The text of each choice, in index order, from SSE frames. */
    static List<String> texts(List<JsonObject> frames, int choices) {
        StringBuilder[] t = new StringBuilder[choices];
        for (int i = 0; i < choices; i++) {
            t[i] = new StringBuilder();
        }
        for (JsonObject f : frames) {
            for (var c : f.getAsJsonArray("choices")) {
                JsonObject o = c.getAsJsonObject();
                t[o.get("index").getAsInt()].append(o.get("text").getAsString());
            }
        }
        List<String> out = new ArrayList<>();
        for (StringBuilder b : t) {
            out.add(b.toString());
        }
        return out;
    }

    static String sdkText(String prompt, GenerationOptions o) {
        return sdk.generate(prompt, o).text();
    }

    @Test
    void streamingIsServerSentEventsEndingWithDoneAndWritesTheSdksTextAsDoesTheJsonAnswer() throws Exception {
        String body = "{\"prompt\": \"The whale\", \"max_tokens\": 120, \"seed\": 7, \"temperature\": 0.9,"
                + " \"top_p\": 0.95, \"top_k\": 5, \"repeat_penalty\": 1.1, \"user\": \"ana\", \"unknown_field\": [1]";
        HttpResponse<String> s = post(
                server,
                "/v1/completions",
                body + ", \"stream\": true," + " \"stream_options\": {\"include_usage\": true}}");
        assertEquals(200, s.statusCode(), s.body());
        assertTrue(s.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<JsonObject> frames = frames(s.body());
        assertTrue(frames.size() > 3, "characters arrive as they are made: " + frames.size() + " frames");
        String expected = sdkText(
                "The whale",
                GenerationOptions.builder()
                        .maxCharacters(120)
                        .seed(7)
                        .temperature(0.9f)
                        .topP(0.95f)
                        .topK(5)
                        .repetitionPenalty(1.1f)
                        .build());
        assertEquals(List.of(expected), texts(frames, 1));
        JsonObject last =
                frames.get(frames.size() - 2).getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("length", last.get("finish_reason").getAsString());
        JsonObject usage = frames.get(frames.size() - 1).getAsJsonObject("usage");
        assertEquals(9, usage.get("prompt_tokens").getAsInt());
        assertEquals(120, usage.get("completion_tokens").getAsInt());
        assertEquals(0, frames.get(frames.size() - 1).getAsJsonArray("choices").size());
        assertEquals("text_completion", frames.get(0).get("object").getAsString());
        assertEquals("moby", frames.get(0).get("model").getAsString());

        HttpResponse<String> plain = post(server, "/v1/completions", body + "}");
        assertEquals(200, plain.statusCode(), plain.body());
        JsonObject p = json(plain);
        JsonObject choice = p.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals(expected, choice.get("text").getAsString(), "not streaming = streaming");
        assertEquals("length", choice.get("finish_reason").getAsString());
        assertEquals(129, p.getAsJsonObject("usage").get("total_tokens").getAsInt());
    }

    @Test
    void nGivesSeededChoicesAndPromptArraysCountOnFromTheSeed() throws Exception {
        JsonObject r = json(post(
                server,
                "/v1/completions",
                "{\"prompt\": [\"The sea\", \"The whale\"], \"n\": 3, \"max_tokens\": 40, \"seed\": 100}"));
        JsonArray choices = r.getAsJsonArray("choices");
        assertEquals(6, choices.size());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            JsonObject c = choices.get(i).getAsJsonObject();
            assertEquals(i, c.get("index").getAsInt());
            String prompt = i < 3 ? "The sea" : "The whale";
            assertEquals(
                    sdkText(
                            prompt,
                            GenerationOptions.builder()
                                    .maxCharacters(40)
                                    .seed(100 + i)
                                    .build()),
                    c.get("text").getAsString(),
                    "choice " + i + " = prompt " + i / 3 + " with seed 100 + " + i);
            got.add(c.get("text").getAsString());
        }
        assertNotEquals(got.get(0), got.get(1));
        assertNotEquals(got.get(1), got.get(2));
        HttpResponse<String> s = post(
                server,
                "/v1/completions",
                "{\"prompt\": [\"The sea\", \"The whale\"], \"n\": 3, \"max_tokens\": 40, \"seed\": 100, \"stream\": true}");
        assertEquals(got, texts(frames(s.body()), 6), "streamed choices interleave by index");
    }

    @Test
    void stopSequencesEchoAndGreedy() throws Exception {
        GenerationOptions o = GenerationOptions.builder()
                .maxCharacters(200)
                .seed(3)
                .stopSequences("the", "and")
                .build();
        String expected = sdkText("The ", o);
        JsonObject c = json(post(
                        server,
                        "/v1/completions",
                        "{\"prompt\": \"The \", \"max_tokens\": 200, \"seed\": 3,"
                                + " \"stop\": [\"the\", \"and\"], \"echo\": true}"))
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject();
        assertEquals("The " + expected, c.get("text").getAsString());
        assertEquals("stop", c.get("finish_reason").getAsString());
        JsonObject g = json(post(
                        server,
                        "/v1/completions",
                        "{\"prompt\": \"The \", \"max_tokens\": 30," + " \"temperature\": 0}"))
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject();
        assertEquals(
                sdkText(
                        "The ",
                        GenerationOptions.builder()
                                .maxCharacters(30)
                                .greedy(true)
                                .build()),
                g.get("text").getAsString(),
                "temperature 0 is greedy");
    }

    @Test
    void everyBadRequestGetsOpenAiStyleErrorJson() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"max_tokens\": 5}", "400 prompt missing");
        cases.put("{\"prompt\": 5}", "400 prompt invalid_type");
        cases.put("{\"prompt\": [\"a\", 7]}", "400 prompt invalid_type");
        cases.put("{\"prompt\": \"\"}", "400 prompt invalid_value");
        cases.put("{\"prompt\": \"The caf\u00e9\"}", "400 prompt unknown_character");
        cases.put("{\"prompt\": \"The \", \"max_tokens\": \"ten\"}", "400 max_tokens invalid_type");
        cases.put("{\"prompt\": \"The \", \"max_tokens\": -1}", "400 max_tokens invalid_value");
        cases.put("{\"prompt\": \"The \", \"max_tokens\": 3000000}", "400 max_tokens invalid_value");
        cases.put("{\"prompt\": \"The \", \"temperature\": 2.5}", "400 temperature invalid_value");
        cases.put("{\"prompt\": \"The \", \"top_p\": -0.1}", "400 top_p invalid_value");
        cases.put("{\"prompt\": \"The \", \"top_k\": -1}", "400 top_k invalid_value");
        cases.put("{\"prompt\": \"The \", \"repeat_penalty\": 0.5}", "400 repeat_penalty invalid_value");
        cases.put("{\"prompt\": \"The \", \"n\": 0}", "400 n invalid_value");
        cases.put("{\"prompt\": [\"a\", \"e\", \"s\"], \"n\": 6}", "400 n invalid_value");
        cases.put("{\"prompt\": \"The \", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "400 stop invalid_value");
        cases.put("{\"prompt\": \"The \", \"stop\": 3}", "400 stop invalid_type");
        cases.put("{\"prompt\": \"The \", \"seed\": 1.5}", "400 seed invalid_type");
        cases.put("{\"prompt\": \"The \", \"stream\": \"yes\"}", "400 stream invalid_type");
        cases.put(
                "{\"prompt\": \"The \", \"stream\": true, \"stream_options\": {\"include_usage\": 1}}",
                "400 stream_options.include_usage invalid_type");
        cases.put("{\"prompt\": \"The \", \"logprobs\": 6}", "400 logprobs invalid_value");
        cases.put("{\"prompt\": \"The \", \"suffix\": \"x\"}", "400 suffix unsupported_parameter");
        cases.put("{\"prompt\": \"The \", \"best_of\": 2}", "400 best_of unsupported_parameter");
        cases.put(
                "{\"prompt\": \"The \", \"stream_options\": {\"include_usage\": true}}",
                "400 stream_options invalid_value");
        cases.put("{\"prompt\": \"The \", \"presence_penalty\": 0.5}", "400 presence_penalty unsupported_parameter");
        cases.put("{\"prompt\": \"The \", \"model\": \"gpt-4\"}", "404 model model_not_found");
        cases.put("{\"prompt\": \"" + "a".repeat(201) + "\"}", "413 prompt prompt_too_long");
        cases.put("[1, 2]", "400 null invalid_json");
        cases.put("{prompt: 'The ', max_tokens: 5}", "400 null invalid_json");
        cases.put("{\"prompt\": The}", "400 null invalid_json");
        cases.put("{\"prompt\": \"The \"} /* more */", "400 null invalid_json");
        cases.put("{\"prompt\": ", "400 null invalid_json");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = post(server, "/v1/completions", c.getKey());
            JsonObject e = json(r).getAsJsonObject("error");
            String got = r.statusCode() + " "
                    + (e.get("param").isJsonNull() ? "null" : e.get("param").getAsString()) + " "
                    + e.get("code").getAsString();
            assertEquals(c.getValue(), got, c.getKey() + " -> " + r.body());
            assertEquals(
                    r.statusCode() == 404 || r.statusCode() == 413 || r.statusCode() == 400
                            ? "invalid_request_error"
                            : "",
                    e.get("type").getAsString());
            assertTrue(
                    !e.get("message").getAsString().contains("\n") && !r.body().contains("Exception"), r.body());
        }
        JsonObject tiny = json(post(
                server,
                "/v1/completions",
                "{\"prompt\": \"The \", \"max_tokens\": 20," + " \"temperature\": 1e-50, \"top_p\": 1e-50}"));
        assertEquals(
                sdkText(
                        "The ",
                        GenerationOptions.builder()
                                .maxCharacters(20)
                                .greedy(true)
                                .build()),
                tiny.getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .get("text")
                        .getAsString(),
                "a temperature below float's resolution is 0: greedy, not a server error");
        HttpResponse<String> wrongMethod = get(server, "/v1/completions");
        assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
        assertEquals(
                "method_not_allowed",
                json(wrongMethod).getAsJsonObject("error").get("code").getAsString());
        HttpResponse<String> none = get(server, "/v1/nothing");
        assertEquals(404, none.statusCode());
        assertEquals(
                "not_found", json(none).getAsJsonObject("error").get("code").getAsString());
        JsonObject ok = json(post(
                server,
                "/v1/completions",
                "{\"prompt\": \"The \", \"model\": \"moby\", \"max_tokens\": 3,"
                        + " \"logprobs\": null, \"best_of\": 1, \"presence_penalty\": 0, \"n\": 1}"));
        assertEquals(1, ok.getAsJsonArray("choices").size(), "the loaded model's name, and defaults, are fine");
    }

    @Test
    void modelsHealthAndThePlaygroundPage() throws Exception {
        JsonObject m =
                json(get(server, "/v1/models")).getAsJsonArray("data").get(0).getAsJsonObject();
        assertEquals("moby", m.get("id").getAsString());
        assertEquals(
                sdk.manifest().shape().vocabSize(),
                m.getAsJsonObject("meta").get("vocab_size").getAsInt());
        assertTrue(m.getAsJsonObject("meta").has("val_loss_nats_per_char"));
        assertEquals(200, get(server, "/health").statusCode());
        HttpResponse<String> page = get(server, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>charlstm playground</title>")
                && page.body().contains("/v1/completions"));

        CharLstmServer loading = CharLstmServer.start(options(4, 4, 100, 100, 2, 60, 0, 0));
        try {
            assertEquals(503, get(loading, "/health").statusCode(), "not ready before the model is loaded");
            HttpResponse<String> early = post(loading, "/v1/completions", "{\"prompt\": \"The \"}");
            assertEquals(503, early.statusCode());
            assertEquals(
                    "loading", json(early).getAsJsonObject("error").get("code").getAsString());
            loading.serve(CharLstmModel.load(MODEL));
            assertEquals(200, get(loading, "/health").statusCode());
        } finally {
            loading.close();
        }
    }

    @Test
    void concurrentRequestsGiveTheirSingleRequestOutputs() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> got = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int seed = i;
                got.add(pool.submit(() -> texts(
                                frames(post(
                                                server,
                                                "/v1/completions",
                                                "{\"prompt\": \"The sea\","
                                                        + " \"max_tokens\": 300, \"stream\": true, \"seed\": " + seed
                                                        + "}")
                                        .body()),
                                1)
                        .get(0)));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(
                        sdkText(
                                "The sea",
                                GenerationOptions.builder()
                                        .maxCharacters(300)
                                        .seed(i)
                                        .build()),
                        got.get(i).get(),
                        "seed " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Opens a streaming request on a raw socket and reads until the first data frame. */
    static Socket openStream(CharLstmServer s, String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.port());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + b.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains("data: ")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed before the first frame: " + seen);
            }
            seen.append((char) c);
        }
        return socket;
    }

    static void awaitIdle(CharLstmServer s, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (s.inFlight() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 10_000})
    void aClientThatGoesAwayFreesItsRowsAndAFullQueueAnswers429(int flushMicros) throws Exception {
        CharLstmServer small = started(options(1, 0, 100, 2_000_000, 2, 60, 0, flushMicros));
        try {
            long t0 = System.nanoTime();
            Socket first = openStream(small, "{\"prompt\": \"The \", \"max_tokens\": 2000000, \"stream\": true}");
            assertEquals(1, small.inFlight());
            HttpResponse<String> busy = post(small, "/v1/completions", "{\"prompt\": \"The \", \"max_tokens\": 5}");
            assertEquals(429, busy.statusCode(), busy.body());
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
            assertEquals(
                    "queue_full",
                    json(busy).getAsJsonObject("error").get("code").getAsString());
            first.close();
            awaitIdle(small, 5000);
            assertEquals(0, small.inFlight(), "the row is freed when the client goes away");
            assertTrue(System.nanoTime() - t0 < 20e9, "long before its 2,000,000 characters");
            assertEquals(
                    200,
                    post(small, "/v1/completions", "{\"prompt\": \"The \", \"max_tokens\": 5}")
                            .statusCode());
        } finally {
            small.close();
        }
    }

    @Test
    void aClientThatGoesAwayWhileItsPromptIsReadFreesItsRows() throws Exception {
        CharLstmServer s = started(options(4, 4, 400_000, 100, 2, 60, 0, 10_000));
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            byte[] b = ("{\"prompt\": \"" + "the sea was calm ".repeat(20_000) + "\", \"max_tokens\": 50,"
                            + " \"stream\": true}")
                    .getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + b.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            long end = System.currentTimeMillis() + 5000;
            while (s.inFlight() == 0 && System.currentTimeMillis() < end) {
                Thread.sleep(5);
            }
            assertEquals(1, s.inFlight(), "reading its 340,000-character prompt");
        }
        long t0 = System.nanoTime();
        awaitIdle(s, 10_000);
        try {
            assertEquals(0, s.inFlight());
            assertTrue(
                    System.nanoTime() - t0 < 3e9,
                    "freed within a few heartbeats, not after the whole prompt: " + (System.nanoTime() - t0) / 1e6
                            + " ms");
        } finally {
            s.close();
        }
    }

    @Test
    void deletingASessionEndsItsCompletionWith410AndAFreshSessionNeedsAPrompt() throws Exception {
        String id = json(post(server, "/v1/sessions", "")).get("id").getAsString();
        HttpResponse<String> empty = post(server, "/v1/sessions/" + id + "/completions", "{\"stream\": true}");
        assertEquals(400, empty.statusCode(), "refused before any event: " + empty.body());
        assertTrue(empty.body().contains("has no text yet"), empty.body());
        Future<HttpResponse<String>> running;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            running = pool.submit(() -> post(
                    server, "/v1/sessions/" + id + "/completions", "{\"prompt\": \"The \", \"max_tokens\": 2000000}"));
            long end = System.currentTimeMillis() + 5000;
            while (server.inFlight() == 0 && System.currentTimeMillis() < end) {
                Thread.sleep(5);
            }
            long t0 = System.nanoTime();
            HttpResponse<String> deleted = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/sessions/" + id))
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, deleted.statusCode());
            assertTrue(System.nanoTime() - t0 < 1e9, "DELETE does not wait for the completion");
            HttpResponse<String> r = running.get();
            assertEquals(410, r.statusCode(), r.body());
            assertEquals(
                    "session_deleted",
                    json(r).getAsJsonObject("error").get("code").getAsString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sessionsKeepTheirStateExpireAndAreCapped() throws Exception {
        String id = json(post(server, "/v1/sessions", "")).get("id").getAsString();
        String a = json(post(
                        server,
                        "/v1/sessions/" + id + "/completions",
                        "{\"prompt\": \"The whale\"," + " \"max_tokens\": 30, \"seed\": 1}"))
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject()
                .get("text")
                .getAsString();
        String b = texts(
                        frames(post(
                                        server,
                                        "/v1/sessions/" + id + "/completions",
                                        "{\"prompt\": \" and\","
                                                + " \"max_tokens\": 30, \"seed\": 2, \"stream\": true}")
                                .body()),
                        1)
                .get(0);
        String c = json(post(server, "/v1/sessions/" + id + "/completions", "{\"max_tokens\": 30, \"seed\": 3}"))
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject()
                .get("text")
                .getAsString();
        try (GenerationStream s = sdk.newStream()) {
            assertEquals(
                    s.generate(
                                    "The whale",
                                    GenerationOptions.builder()
                                            .maxCharacters(30)
                                            .seed(1)
                                            .build(),
                                    ch -> true)
                            .text(),
                    a);
            assertEquals(
                    s.generate(
                                    " and",
                                    GenerationOptions.builder()
                                            .maxCharacters(30)
                                            .seed(2)
                                            .build(),
                                    ch -> true)
                            .text(),
                    b,
                    "the second turn continues the first");
            assertEquals(
                    s.generate(
                                    "",
                                    GenerationOptions.builder()
                                            .maxCharacters(30)
                                            .seed(3)
                                            .build(),
                                    ch -> true)
                            .text(),
                    c,
                    "no prompt: go on from the state");
        }
        HttpResponse<String> n3 = post(server, "/v1/sessions/" + id + "/completions", "{\"prompt\": \"a\", \"n\": 3}");
        assertEquals(400, n3.statusCode(), n3.body());
        String second = json(post(server, "/v1/sessions", "")).get("id").getAsString();
        HttpResponse<String> third = post(server, "/v1/sessions", "");
        assertEquals(429, third.statusCode(), "--max-sessions 2");
        assertEquals(
                "too_many_sessions",
                json(third).getAsJsonObject("error").get("code").getAsString());
        assertEquals(
                200,
                HTTP.send(
                                HttpRequest.newBuilder(URI.create(
                                                "http://127.0.0.1:" + server.port() + "/v1/sessions/" + second))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());

        CharLstmServer shortLived = started(options(4, 4, 100, 100, 4, 1, 0, 0));
        try {
            String gone = json(post(shortLived, "/v1/sessions", "")).get("id").getAsString();
            long end = System.currentTimeMillis() + 5000;
            while (shortLived.sessionCount() > 0 && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            HttpResponse<String> expired =
                    post(shortLived, "/v1/sessions/" + gone + "/completions", "{\"prompt\": \"The \"}");
            assertEquals(404, expired.statusCode(), "idle for longer than --session-idle-seconds 1");
            assertEquals(
                    "session_not_found",
                    json(expired).getAsJsonObject("error").get("code").getAsString());
        } finally {
            shortLived.close();
        }
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/sessions/" + id))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void closingEndsStreamsInFlightCleanlyAndRefusesNewRequests() throws Exception {
        CharLstmServer closing = started(options(4, 4, 100, 2_000_000, 2, 60, 0, 0));
        Socket s = openStream(closing, "{\"prompt\": \"The \", \"max_tokens\": 2000000, \"stream\": true}");
        Thread closer = new Thread(closing::close);
        closer.start();
        InputStream in = s.getInputStream();
        String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        closer.join(20_000);
        assertTrue(
                rest.contains("\"code\":\"shutting_down\"") && rest.contains("data: [DONE]"),
                rest.substring(Math.max(0, rest.length() - 400)));
        s.close();
        assertTrue(!closer.isAlive(), "close() returned");
    }
}
