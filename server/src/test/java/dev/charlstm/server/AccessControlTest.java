package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys and CORS through real HTTP, with the headers browsers and clients send. */
class AccessControlTest {

    static CharLstmServer locked;
    static CharLstmServer open;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String BODY = "{\"prompt\": \"The \", \"max_tokens\": 3}";

    @BeforeAll
    static void start() {
        locked = CompletionServerTest.started(CompletionServerTest.options(4, 4, 100, 100, 2, 60, 0, 0).toBuilder()
                .apiKey("s3cret-key")
                .build());
        open = CompletionServerTest.started(CompletionServerTest.options(4, 4, 100, 100, 2, 60, 0, 0).toBuilder()
                .corsOrigins(List.of("http://localhost:3000"))
                .build());
    }

    @AfterAll
    static void stop() {
        locked.close();
        open.close();
    }

    static HttpResponse<String> send(CharLstmServer s, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String code(HttpResponse<String> r) {
        return JsonParser.parseString(r.body())
                .getAsJsonObject()
                .getAsJsonObject("error")
                .get("code")
                .getAsString();
    }

    @Test
    void aKeyedServerWantsTheKeyOnTheApiButNotOnHealthMetricsOrThePage() throws Exception {
        HttpResponse<String> missing = send(locked, "POST", "/v1/completions", BODY);
        assertEquals(401, missing.statusCode());
        assertEquals("missing_api_key", code(missing));
        HttpResponse<String> wrong =
                send(locked, "POST", "/v1/completions", BODY, "Authorization", "Bearer s3cret-kez");
        assertEquals(401, wrong.statusCode());
        assertEquals("invalid_api_key", code(wrong));
        assertEquals(
                "invalid_request_error",
                JsonParser.parseString(wrong.body())
                        .getAsJsonObject()
                        .getAsJsonObject("error")
                        .get("type")
                        .getAsString());
        assertEquals(
                401,
                send(locked, "POST", "/v1/completions", BODY, "Authorization", "s3cret-key")
                        .statusCode(),
                "the Bearer scheme is needed");
        assertEquals(401, send(locked, "GET", "/v1/models", null).statusCode());
        assertEquals(401, send(locked, "POST", "/v1/sessions", "").statusCode());
        assertEquals(
                200,
                send(locked, "POST", "/v1/completions", BODY, "Authorization", "Bearer s3cret-key")
                        .statusCode());
        assertEquals(
                200,
                send(locked, "GET", "/v1/models", null, "Authorization", "bearer s3cret-key")
                        .statusCode());
        assertEquals(200, send(locked, "GET", "/health", null).statusCode());
        assertEquals(200, send(locked, "GET", "/metrics", null).statusCode());
        assertEquals(200, send(locked, "GET", "/", null).statusCode());
    }

    @Test
    void preflightsFromAllowedOriginsAreAnsweredAndOthersRefused() throws Exception {
        HttpResponse<String> ok = send(
                open,
                "OPTIONS",
                "/v1/chat/completions",
                null,
                "Origin",
                "http://localhost:3000",
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization,content-type,x-stainless-os");
        assertEquals(204, ok.statusCode(), ok.body());
        assertEquals(
                "http://localhost:3000",
                ok.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(ok.headers()
                .firstValue("Access-Control-Allow-Methods")
                .orElse("")
                .contains("POST"));
        assertEquals(
                "authorization,content-type,x-stainless-os",
                ok.headers().firstValue("Access-Control-Allow-Headers").orElse(""));
        HttpResponse<String> foreign = send(
                open,
                "OPTIONS",
                "/v1/chat/completions",
                null,
                "Origin",
                "http://evil.example",
                "Access-Control-Request-Method",
                "POST");
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        // a keyed server answers preflights without the key (browsers send none), then wants it
        HttpResponse<String> keyed = send(
                locked,
                "OPTIONS",
                "/v1/completions",
                null,
                "Origin",
                locked.url(),
                "Access-Control-Request-Method",
                "POST");
        assertEquals(204, keyed.statusCode());
    }

    @Test
    void aCrossSiteSimplePostIsRefusedBeforeAnyWorkWhileCurlStyleRequestsWork() throws Exception {
        String before = MetricsTest.sample(open, "charlstm_generated_characters_total");
        HttpResponse<String> blind = send(
                open,
                "POST",
                "/v1/completions",
                "{\"prompt\": \"The \", \"max_tokens\":" + " 50}",
                "Origin",
                "http://evil.example",
                "Content-Type",
                "text/plain");
        assertEquals(403, blind.statusCode(), blind.body());
        assertEquals("origin_not_allowed", code(blind));
        assertTrue(JsonParser.parseString(blind.body())
                .getAsJsonObject()
                .getAsJsonObject("error")
                .get("message")
                .getAsString()
                .contains("--cors-origins"));
        assertEquals(before, MetricsTest.sample(open, "charlstm_generated_characters_total"), "nothing generated");
        // curl -d: form-encoded, no Origin
        assertEquals(
                200,
                send(open, "POST", "/v1/completions", BODY, "Content-Type", "application/x-www-form-urlencoded")
                        .statusCode());
        // the listed origin, and the server's own (its playground), in either loopback spelling
        for (String origin : new String[] {"http://localhost:3000", open.url(), "http://localhost:" + open.port()}) {
            HttpResponse<String> r = send(open, "POST", "/v1/completions", BODY, "Origin", origin);
            assertEquals(200, r.statusCode(), origin + ": " + r.body());
            assertEquals(
                    origin,
                    r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        }
        // a page on another port of this machine is another origin
        assertEquals(
                403,
                send(open, "POST", "/v1/completions", BODY, "Origin", "http://localhost:9999")
                        .statusCode());
        try (CharLstmServer any =
                CompletionServerTest.started(CompletionServerTest.options(2, 2, 100, 100, 2, 60, 0, 0).toBuilder()
                        .corsOrigins(List.of("*"))
                        .build())) {
            assertEquals(
                    200,
                    send(any, "POST", "/v1/completions", BODY, "Origin", "http://evil.example")
                            .statusCode(),
                    "--cors-origins * lets every page call");
        }
    }
}
