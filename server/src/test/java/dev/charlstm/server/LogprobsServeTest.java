package dev.charlstm.server;

import static dev.charlstm.server.CompletionServerTest.frames;
import static dev.charlstm.server.CompletionServerTest.json;
import static dev.charlstm.server.CompletionServerTest.post;
import static dev.charlstm.server.CompletionServerTest.sdk;
import static dev.charlstm.server.CompletionServerTest.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.runtime.EvaluationResult;
import dev.charlstm.runtime.Fixtures;
import dev.charlstm.runtime.GenerationStream;
import dev.charlstm.runtime.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * logprobs on completions and chat: each value is log_softmax of the SDK's logits before that character (read from
 * a stream fed the same text), the top alternatives are the most likely, and echo + max_tokens 0 scores a prompt as
 * {@code CharLstmModel.evaluate} does.
 */
class LogprobsServeTest {

    @BeforeAll
    static void start() {
        CompletionServerTest.start();
    }

    /** Checks each (character, logprob, top) against a stream fed the prompt and the characters before it. */
    static void checkAgainstTheSdk(
            String prompt, List<String> chars, List<Double> values, List<Map<String, Double>> tops, int topN) {
        Vocabulary v = sdk.manifest().vocabulary();
        try (GenerationStream s = sdk.newStream()) {
            s.feed(prompt);
            for (int i = 0; i < chars.size(); i++) {
                double[] expected = Fixtures.logSoftmax(s.snapshot().logits());
                assertEquals(expected[v.idOf(chars.get(i).codePointAt(0))], values.get(i), 1e-5, "character " + i);
                double[] sorted = expected.clone();
                Arrays.sort(sorted);
                for (Map.Entry<String, Double> alt : tops.get(i).entrySet()) {
                    assertEquals(expected[v.idOf(alt.getKey().codePointAt(0))], alt.getValue(), 1e-5);
                }
                int listed = 0;
                for (Map.Entry<String, Double> alt : tops.get(i).entrySet()) {
                    if (alt.getValue() >= sorted[sorted.length - topN] - 1e-9) {
                        listed++;
                    }
                }
                assertEquals(topN, listed, "the top " + topN + " are listed at " + i);
                s.feed(chars.get(i));
            }
        }
    }

    @Test
    void completionsLogprobsAreTheSdksLogSoftmaxStreamedOrNot() throws Exception {
        String body = "{\"prompt\": \"Call me Ishmael. \", \"max_tokens\": 40, \"seed\": 3, \"temperature\": 0.8,"
                + " \"logprobs\": 3";
        JsonObject plain = json(post(server, "/v1/completions", body + "}"));
        JsonObject c = plain.getAsJsonArray("choices").get(0).getAsJsonObject();
        JsonObject lp = c.getAsJsonObject("logprobs");
        List<String> chars = strings(lp.getAsJsonArray("tokens"));
        assertEquals(c.get("text").getAsString(), String.join("", chars));
        assertEquals(40, chars.size());
        List<Double> values = doubles(lp.getAsJsonArray("token_logprobs"));
        List<Map<String, Double>> tops = maps(lp.getAsJsonArray("top_logprobs"));
        checkAgainstTheSdk("Call me Ishmael. ", chars, values, tops, 3);
        for (int i = 0; i < 40; i++) {
            assertEquals(i, lp.getAsJsonArray("text_offset").get(i).getAsInt());
            assertTrue(tops.get(i).containsKey(chars.get(i)), "the chosen character is always listed");
        }
        // streamed: one character and its logprobs per chunk, the same values
        List<JsonObject> frames = frames(
                post(server, "/v1/completions", body + ", \"stream\": true}").body());
        List<Double> streamed = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (JsonObject f : frames) {
            JsonObject fc = f.getAsJsonArray("choices").get(0).getAsJsonObject();
            if (!fc.get("logprobs").isJsonNull()) {
                streamed.addAll(doubles(fc.getAsJsonObject("logprobs").getAsJsonArray("token_logprobs")));
                text.append(fc.get("text").getAsString());
            }
        }
        assertEquals(c.get("text").getAsString(), text.toString());
        assertEquals(values, streamed);
    }

    @Test
    void echoWithMaxTokensZeroScoresThePromptAsEvaluateDoes() throws Exception {
        String prompt = "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in"
                + " my purse, and nothing particular to interest me on shore, I thought I would sail about a little.";
        JsonObject o = json(post(
                server,
                "/v1/completions",
                "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 0," + " \"echo\": true, \"logprobs\": 0}"));
        JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals(prompt, c.get("text").getAsString());
        JsonObject lp = c.getAsJsonObject("logprobs");
        JsonArray values = lp.getAsJsonArray("token_logprobs");
        int n = prompt.length();
        assertEquals(n, values.size());
        assertTrue(
                values.get(0).isJsonNull()
                        && lp.getAsJsonArray("top_logprobs").get(0).isJsonNull(),
                "nothing predicts the first character");
        double sum = 0;
        for (int i = 1; i < n; i++) {
            sum += values.get(i).getAsDouble();
        }
        EvaluationResult e = sdk.evaluate(
                prompt,
                EvaluationOptions.builder().window(n - 1).wholeText(true).build());
        assertEquals(e.natsPerCharacter(), -sum / (n - 1), 1e-9);
        assertEquals(0, o.getAsJsonObject("usage").get("completion_tokens").getAsInt());
        // and each equals the SDK's logits, stepped
        List<String> chars = new ArrayList<>();
        List<Double> rest = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        for (int i = 1; i < 30; i++) {
            chars.add(prompt.substring(i, i + 1));
            rest.add(values.get(i).getAsDouble());
            tops.add(Map.of());
        }
        checkAgainstTheSdk(prompt.substring(0, 1), chars, rest, tops, 0);
        // echo + generation: the prompt's scores, then the generated characters'
        JsonObject both = json(post(
                        server,
                        "/v1/completions",
                        "{\"prompt\": \"The whale\", \"max_tokens\": 10,"
                                + " \"echo\": true, \"logprobs\": 1, \"seed\": 1}"))
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject();
        assertEquals(
                19, both.getAsJsonObject("logprobs").getAsJsonArray("tokens").size());
        assertEquals(
                both.get("text").getAsString(),
                String.join("", strings(both.getAsJsonObject("logprobs").getAsJsonArray("tokens"))));
    }

    @Test
    void chatLogprobsHaveOpenAisShape() throws Exception {
        JsonObject o = json(
                post(
                        server,
                        "/v1/chat/completions",
                        "{\"messages\": [{\"role\": \"user\", \"content\":"
                                + " \"Who is Ahab?\"}], \"max_tokens\": 20, \"seed\": 4, \"logprobs\": true, \"top_logprobs\": 2}"));
        JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        JsonArray content = c.getAsJsonObject("logprobs").getAsJsonArray("content");
        assertEquals(20, content.size());
        List<String> chars = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        for (JsonElement e : content) {
            JsonObject t = e.getAsJsonObject();
            chars.add(t.get("token").getAsString());
            values.add(t.get("logprob").getAsDouble());
            assertEquals(
                    t.get("token").getAsString().getBytes(StandardCharsets.UTF_8).length,
                    t.getAsJsonArray("bytes").size());
            Map<String, Double> top = new LinkedHashMap<>();
            for (JsonElement a : t.getAsJsonArray("top_logprobs")) {
                top.put(
                        a.getAsJsonObject().get("token").getAsString(),
                        a.getAsJsonObject().get("logprob").getAsDouble());
            }
            assertEquals(2, top.size());
            tops.add(top);
        }
        assertEquals(c.getAsJsonObject("message").get("content").getAsString(), String.join("", chars));
        checkAgainstTheSdk("User: Who is Ahab? Assistant:", chars, values, tops, 2);
    }

    static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    static List<Double> doubles(JsonArray a) {
        List<Double> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsDouble()));
        return out;
    }

    static List<Map<String, Double>> maps(JsonArray a) {
        List<Map<String, Double>> out = new ArrayList<>();
        for (JsonElement e : a) {
            Map<String, Double> m = new LinkedHashMap<>();
            e.getAsJsonObject()
                    .entrySet()
                    .forEach(x -> m.put(x.getKey(), x.getValue().getAsDouble()));
            out.add(m);
        }
        return out;
    }
}
