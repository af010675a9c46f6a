package dev.charlstm.server;

import static dev.charlstm.server.CompletionServerTest.json;
import static dev.charlstm.server.CompletionServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Fairness between requests, clients that leave or break off, HEAD. */
class FaultsTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static String bigRequest(int prompts, int characters, boolean stream) {
        StringBuilder b = new StringBuilder("{\"prompt\": [");
        for (int i = 0; i < prompts; i++) {
            b.append(i > 0 ? ", " : "").append("\"The sea ").append(i % 10).append('"');
        }
        return b.append("], \"max_tokens\": ")
                .append(characters)
                .append(", \"stream\": ")
                .append(stream)
                .append('}')
                .toString();
    }

    static void awaitRows(CharLstmServer s, int rows) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (s.admission().rowsInUse() < rows && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        assertEquals(rows, s.admission().rowsInUse());
    }

    @Test
    void aBigRequestTakesItsShareOfRowsAndASmallOneIsAnsweredMeanwhile() throws Exception {
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(8, 8, 100, 1_000_000, 2, 60, 0, 0).toBuilder()
                        .maxRowsPerRequest(4)
                        .build())) {
            CompletableFuture<HttpResponse<String>> big = HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(bigRequest(8, 1_000_000, false)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitRows(s, 4);
            Thread.sleep(200);
            assertEquals(4, s.admission().rowsInUse(), "8 choices, at most 4 at once (--max-rows-per-request)");
            // a second big request takes the other 4; a third small one waits its turn, and gets the next free row
            CompletableFuture<HttpResponse<String>> big2 = HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(bigRequest(8, 1_000, false)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitRows(s, 8);
            HttpResponse<String> small = post(s, "/v1/completions", "{\"prompt\": \"The \", \"max_tokens\": 20}");
            assertEquals(200, small.statusCode(), small.body());
            assertFalse(big.isDone(), "the small request was answered while the big one goes on");
            assertEquals(200, big2.get().statusCode());
            assertFalse(big.isDone());
            big.cancel(true);
        }
    }

    @Test
    void aNonStreamedRequestWhoseClientLeavesStopsGenerating() throws Exception {
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(4, 4, 100, 2_000_000, 2, 60, 0, 0))) {
            for (String body : new String[] {
                "{\"prompt\": \"The \", \"max_tokens\": 2000000}",
                bigRequest(3, 2_000_000, false),
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 2000000}"
            }) {
                String path = body.contains("messages") ? "/v1/chat/completions" : "/v1/completions";
                try (Socket socket = new Socket("127.0.0.1", s.port())) {
                    byte[] b = body.getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + b.length
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(b);
                    out.flush();
                    awaitRows(s, body.contains("[\"The") ? 3 : 1);
                    Thread.sleep(300);
                }
                long t0 = System.nanoTime();
                long end = System.currentTimeMillis() + 10_000;
                while ((s.inFlight() > 0 || s.admission().rowsInUse() > 0) && System.currentTimeMillis() < end) {
                    Thread.sleep(10);
                }
                assertEquals(0, s.inFlight(), body);
                assertEquals(0, s.admission().rowsInUse(), body);
                assertTrue(System.nanoTime() - t0 < 5e9, "within a few heartbeats, not 2,000,000 characters later");
            }
            assertEquals(
                    200,
                    post(s, "/v1/completions", "{\"prompt\": \"The \", \"max_tokens\": 5}")
                            .statusCode());
        }
    }

    @Test
    void aHalfClosedUploadIsA400AndHeadAnswersWhatGetWould() throws Exception {
        try (CharLstmServer s =
                        CompletionServerTest.started(CompletionServerTest.options(4, 4, 100, 2_000_000, 2, 60, 1, 0));
                Socket socket = new Socket("127.0.0.1", s.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n{\"prompt\": \"The")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("\"code\":\"unreadable_body\"") && !answer.contains("Exception"), answer);

            for (String path : new String[] {"/", "/health", "/v1/models", "/v1/models/moby", "/metrics"}) {
                HttpResponse<String> get = HTTP.send(
                        HttpRequest.newBuilder(URI.create(s.url() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> head = HTTP.send(
                        HttpRequest.newBuilder(URI.create(s.url() + path))
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(get.statusCode(), head.statusCode(), path);
                assertEquals(
                        get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"), path);
                assertEquals("", head.body(), path);
            }
            HttpResponse<String> other = HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/v1/models/gpt-4o"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
            assertEquals(
                    "model_not_found",
                    json(other).getAsJsonObject("error").get("code").getAsString());
            // while draining, HEAD /health says 503 as GET does
            Socket stream = CompletionServerTest.openStream(
                    s, "{\"prompt\": \"The \", \"max_tokens\": 2000000," + " \"stream\": true}");
            Thread closer = new Thread(s::close);
            closer.start();
            long end = System.currentTimeMillis() + 5000;
            while (!s.draining() && System.currentTimeMillis() < end) {
                Thread.sleep(5);
            }
            HttpResponse<String> head = HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/health"))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, head.statusCode());
            stream.close();
            closer.join(20_000);
        }
    }
}
