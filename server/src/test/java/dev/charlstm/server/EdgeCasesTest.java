package dev.charlstm.server;

import static dev.charlstm.server.CompletionServerTest.frames;
import static dev.charlstm.server.CompletionServerTest.json;
import static dev.charlstm.server.CompletionServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** What a hostile tester found in the first version of the module, each kept as a test. */
class EdgeCasesTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static String raw(CharLstmServer s, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Socket send(CharLstmServer s, String path, String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", s.port());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + b.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        return socket;
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean());
    }

    @Test
    void aStreamedRequestWhoseClientLeavesWhileQueuedLeavesTheQueue() throws Exception {
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(1, 2, 100, 2_000_000, 2, 60, 0, 0))) {
            Socket running = CompletionServerTest.openStream(
                    s, "{\"prompt\": \"The \", \"max_tokens\": 2000000," + " \"stream\": true}");
            Socket a = send(s, "/v1/completions", "{\"prompt\": \"The \", \"max_tokens\": 10, \"stream\": true}");
            Socket b = send(
                    s,
                    "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                            + " \"max_tokens\": 10, \"stream\": true}");
            await(() -> s.admission().waiting() == 2);
            a.close();
            b.close();
            await(() -> s.admission().waiting() == 0);
            HttpResponse<String> r = HTTP.sendAsync(
                            HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"prompt\": \"The \", \"max_tokens\": 5}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .completeOnTimeout(null, 300, TimeUnit.MILLISECONDS)
                    .get();
            assertTrue(r == null || r.statusCode() != 429, "it waits its turn instead of a 429 for a full queue");
            running.close();
        }
    }

    @Test
    void streamedLogprobsCarryRunningTextOffsets() throws Exception {
        CompletionServerTest.start();
        List<JsonObject> f = frames(post(
                        CompletionServerTest.server,
                        "/v1/completions",
                        "{\"prompt\": \"Call me \","
                                + " \"max_tokens\": 5, \"logprobs\": 0, \"seed\": 1, \"stream\": true, \"echo\": true}")
                .body());
        StringBuilder offsets = new StringBuilder();
        for (JsonObject o : f) {
            JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
            if (!c.get("logprobs").isJsonNull()) {
                c.getAsJsonObject("logprobs")
                        .getAsJsonArray("text_offset")
                        .forEach(x -> offsets.append(x).append(','));
            }
        }
        assertEquals("0,1,2,3,4,5,6,7,8,9,10,11,12,", offsets.toString(), "the prompt's 8, then 5 generated");
    }

    @Test
    void includeStopStrInOutputKeepsTheStopSequenceInTheText() throws Exception {
        CompletionServerTest.start();
        JsonObject c = json(post(
                        CompletionServerTest.server,
                        "/v1/completions",
                        "{\"prompt\": \"Call me Ishmael. \","
                                + " \"max_tokens\": 200, \"temperature\": 0, \"stop\": \"the\", \"include_stop_str_in_output\": true}"))
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject();
        assertEquals("stop", c.get("finish_reason").getAsString());
        assertTrue(c.get("text").getAsString().endsWith("the"), c.toString());
    }

    @Test
    void errorsJettyAnswersItselfAreOpenAiJsonAnd405sSayWhatIsAllowed() throws Exception {
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(2, 2, 100, 100, 2, 60, 0, 0))) {
            for (String request : new String[] {
                "GET /v1/models/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
                "CONNECT /v1/completions HTTP/1.1\r\nHost: x\r\n\r\n"
            }) {
                String answer = raw(s, request);
                assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
                assertTrue(
                        answer.contains("application/json")
                                && answer.contains("{\"error\":{")
                                && !answer.contains("<html"),
                        answer);
            }
            HttpResponse<String> get = HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
            assertEquals("POST, OPTIONS", get.headers().firstValue("Allow").orElse(""));
            HttpResponse<String> options = HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/models"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(
                    "GET, HEAD, OPTIONS", options.headers().firstValue("Allow").orElse(""));
            // metrics: a made-up method is "other"; a request refused before routing keeps its route
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/health"))
                            .method("XYZZY", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                            .header("Origin", "http://evil.example")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String metrics = MetricsTest.scrape(s);
            assertTrue(!metrics.contains("XYZZY") && metrics.contains("method=\"other\""), metrics);
            assertTrue(
                    metrics.contains("charlstm_http_requests_total{method=\"POST\",route=\"/v1/completions\","
                            + "status=\"403\"}"),
                    metrics);
        }
    }

    @Test
    void originsAndKeysAreCheckedAsBrowsersAndHeadersNeedThem() throws Exception {
        for (String bad : new String[] {
            "http://a.com?x", "http://user@a.com", "http://a.com:99999", "http://*.a.com", "http://a.com/", "null"
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ServerOptions.builder().corsOrigins(List.of(bad)).build(),
                    bad);
            assertTrue(e.getMessage().contains("--cors-origins"), e.getMessage());
        }
        ServerOptions.builder()
                .corsOrigins(List.of("https://a.example:8443", "http://[::1]:3000", "*"))
                .build();
        IllegalArgumentException key = assertThrows(
                IllegalArgumentException.class,
                () -> ServerOptions.builder().apiKey("my key").build());
        assertTrue(
                key.getMessage().contains("--api-key-file") && key.getMessage().contains("without spaces"),
                key.getMessage());
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(2, 2, 100, 100, 2, 60, 0, 0))) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                            .header("Origin", "null")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode());
            assertTrue(r.body().contains("--cors-origins '*'"), r.body());
        }
        IllegalStateException host = assertThrows(
                IllegalStateException.class,
                () -> CharLstmServer.start(
                        ServerOptions.builder().host("999.1.1.1").port(0).build()));
        assertTrue(
                host.getMessage().contains("does not resolve")
                        && !host.getMessage().contains("null"),
                host.getMessage());
    }

    @Test
    void aTemplateThatMakesAnEmptyPromptIsA400BeforeAnyStream() throws Exception {
        ChatTemplate bare = ChatTemplate.parse("{\"user\": \"{content}\", \"system\": \"{content}\", \"assistant\":"
                + " \"{content}\", \"generation\": \"\", \"stop\": []}");
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(2, 2, 100, 100, 2, 60, 0, 0).toBuilder()
                        .chatTemplate(bare)
                        .build())) {
            for (String stream : new String[] {"true", "false"}) {
                HttpResponse<String> r = post(
                        s,
                        "/v1/chat/completions",
                        "{\"messages\": [{\"role\": \"user\"," + " \"content\": \"\"}], \"max_tokens\": 2, \"stream\": "
                                + stream + "}");
                assertEquals(400, r.statusCode(), r.body());
                assertEquals(
                        "messages",
                        json(r).getAsJsonObject("error").get("param").getAsString());
            }
        }
    }

    @Test
    void counterMoveWhileAStreamRunsAndDrainEndsAClientThatStoppedReading() throws Exception {
        CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(1, 2, 100, 2_000_000, 2, 60, 1, 0));
        Socket reading = CompletionServerTest.openStream(
                s, "{\"prompt\": \"The \", \"max_tokens\": 2000000," + " \"stream\": true}");
        await(() -> {
            try {
                return Double.parseDouble(MetricsTest.sample(s, "charlstm_generated_characters_total")) > 100;
            } catch (Exception e) {
                return false;
            }
        });
        reading.close();
        await(() -> s.inFlight() == 0);
        // a client that never reads: its writes block once the buffers fill
        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(4096);
        stalled.connect(new InetSocketAddress("127.0.0.1", s.port()));
        byte[] b = "{\"prompt\": \"The \", \"max_tokens\": 2000000, \"stream\": true}".getBytes(StandardCharsets.UTF_8);
        stalled.getOutputStream()
                .write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + b.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        stalled.getOutputStream().write(b);
        Thread.sleep(1500);
        long t0 = System.nanoTime();
        s.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        stalled.close();
        // --drain-seconds 1, then the connection is closed: not Jetty's 10 s idle timeout
        assertTrue(seconds < 8, "close() took " + seconds + " s");
    }
}
