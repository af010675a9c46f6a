package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: Prometheus' text format, and its counters move with the traffic. */
class MetricsTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** A sample line: name, optional {labels}, value (text format 0.0.4). */
    static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)");

    static String scrape(CharLstmServer s) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(s.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    /** @return the value of the first sample whose name and labels start with {@code key} */
    static String sample(CharLstmServer s, String key) throws Exception {
        for (String line : scrape(s).split("\n")) {
            if (line.startsWith(key + " ") || line.startsWith(key + "{")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "absent";
    }

    @Test
    void everyLineIsPrometheusTextAndTheCountersMove() throws Exception {
        try (CharLstmServer s =
                CompletionServerTest.started(CompletionServerTest.options(4, 4, 100, 1000, 2, 60, 0, 0))) {
            String before = scrape(s);
            for (String line : before.split("\n")) {
                if (line.startsWith("#")) {
                    assertTrue(line.matches("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*"), line);
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "not a sample line: " + line);
                String v = m.group(4);
                assertTrue(v.matches("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?|NaN|[+-]Inf"), line);
            }
            assertTrue(before.contains("# TYPE charlstm_time_to_first_character_seconds histogram"), before);
            assertTrue(before.contains("# TYPE charlstm_time_per_character_seconds histogram"), before);
            assertEquals("4.0", sample(s, "charlstm_rows_max"));
            assertEquals("0.0", sample(s, "charlstm_rows_in_use"));
            assertEquals("0.0", sample(s, "charlstm_generated_characters_total"));
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        200,
                        CompletionServerTest.post(
                                        s,
                                        "/v1/completions",
                                        "{\"prompt\": \"The \", \"max_tokens\":" + " 40, \"n\": 2}")
                                .statusCode());
            }
            assertEquals(
                    400,
                    CompletionServerTest.post(s, "/v1/completions", "{\"prompt\": 1}")
                            .statusCode());
            assertEquals("240.0", sample(s, "charlstm_generated_characters_total"));
            assertEquals("12.0", sample(s, "charlstm_prompt_characters_total"));
            assertEquals(
                    "3.0",
                    sample(
                            s,
                            "charlstm_http_requests_total{method=\"POST\",route=\"/v1/completions\",status=\"200\"}"));
            assertEquals(
                    "1.0",
                    sample(
                            s,
                            "charlstm_http_requests_total{method=\"POST\",route=\"/v1/completions\",status=\"400\"}"));
            assertEquals("3", sample(s, "charlstm_time_to_first_character_seconds_count"));
            assertEquals("234", sample(s, "charlstm_time_per_character_seconds_count"), "39 gaps in each of 6 streams");
        }
    }
}
