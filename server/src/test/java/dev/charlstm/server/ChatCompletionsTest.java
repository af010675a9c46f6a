package dev.charlstm.server;

import static dev.charlstm.server.CompletionServerTest.frames;
import static dev.charlstm.server.CompletionServerTest.json;
import static dev.charlstm.server.CompletionServerTest.post;
import static dev.charlstm.server.CompletionServerTest.sdk;
import static dev.charlstm.server.CompletionServerTest.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.Fixtures;
import dev.charlstm.runtime.GenerationOptions;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/chat/completions}: messages through the template, OpenAI's shapes, what it refuses by name. */
class ChatCompletionsTest {

    static final String MESSAGES = "[{\"role\": \"system\", \"content\": \"A tale of the sea.\"},"
            + " {\"role\": \"user\", \"content\": \"Who is Ahab?\"}, {\"role\": \"assistant\", \"content\": \"The"
            + " captain.\"}, {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"And the \"},"
            + " {\"type\": \"text\", \"text\": \"whale?\"}]}]";
    /** What the default template makes of {@link #MESSAGES}. */
    static final String PROMPT =
            "A tale of the sea. User: Who is Ahab? Assistant: The captain. User: And the whale?" + " Assistant:";

    @BeforeAll
    static void start() {
        CompletionServerTest.start();
    }

    static GenerationOptions chatOptions(int max, long seed) {
        return GenerationOptions.builder()
                .maxCharacters(max)
                .seed(seed)
                .stopSequences("User:")
                .build();
    }

    @Test
    void theAnswerIsTheSdksContinuationOfTheTemplatedMessages() throws Exception {
        HttpResponse<String> r = post(
                server,
                "/v1/chat/completions",
                "{\"model\": \"moby\", \"messages\": " + MESSAGES + ", \"max_tokens\": 120, \"seed\": 5, \"n\": 2}");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject o = json(r);
        assertEquals("chat.completion", o.get("object").getAsString());
        assertTrue(o.get("id").getAsString().startsWith("chatcmpl-"));
        JsonArray choices = o.getAsJsonArray("choices");
        assertEquals(2, choices.size());
        for (int i = 0; i < 2; i++) {
            JsonObject c = choices.get(i).getAsJsonObject();
            JsonObject message = c.getAsJsonObject("message");
            assertEquals("assistant", message.get("role").getAsString());
            String expected = sdk.generate(PROMPT, chatOptions(120, 5 + i)).text();
            assertEquals(expected, message.get("content").getAsString(), "choice " + i);
            assertTrue(c.get("logprobs").isJsonNull());
        }
        assertEquals(
                PROMPT.length(), o.getAsJsonObject("usage").get("prompt_tokens").getAsInt());
        // max_completion_tokens is chat's name for it; it wins over max_tokens
        JsonObject m = json(post(
                server,
                "/v1/chat/completions",
                "{\"messages\": " + MESSAGES + ", \"max_completion_tokens\": 7, \"max_tokens\": 100, \"seed\": 5}"));
        assertEquals(
                sdk.generate(PROMPT, chatOptions(7, 5)).text(),
                m.getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("message")
                        .get("content")
                        .getAsString());
        // what a chat UI sends: line breaks and runs of spaces, cleaned as the training text was
        String typed = MESSAGES.replace("Who is Ahab?", "Who is\\n  Ahab?\\n")
                .replace("A tale of the sea.", "A tale\\r\\nof the sea.");
        JsonObject t = json(post(
                server, "/v1/chat/completions", "{\"messages\": " + typed + ", \"max_tokens\": 30," + " \"seed\": 5}"));
        assertEquals(
                sdk.generate(PROMPT, chatOptions(30, 5)).text(),
                t.getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("message")
                        .get("content")
                        .getAsString(),
                t.toString());
    }

    @Test
    void streamingSendsARoleChunkThenContentDeltasThenTheFinishAndUsageWithUsageNullBefore() throws Exception {
        HttpResponse<String> r = post(
                server,
                "/v1/chat/completions",
                "{\"messages\": " + MESSAGES
                        + ", \"max_tokens\": 60, \"seed\": 9, \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        assertEquals(200, r.statusCode(), r.body());
        List<JsonObject> frames = frames(r.body());
        JsonObject first = frames.get(0).getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("assistant", first.getAsJsonObject("delta").get("role").getAsString());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < frames.size() - 1; i++) {
            JsonObject f = frames.get(i);
            assertEquals("chat.completion.chunk", f.get("object").getAsString());
            assertTrue(f.has("usage") && f.get("usage").isJsonNull(), "usage: null on every chunk but the last");
            JsonObject c = f.getAsJsonArray("choices").get(0).getAsJsonObject();
            if (c.getAsJsonObject("delta").has("content")) {
                text.append(c.getAsJsonObject("delta").get("content").getAsString());
            }
        }
        assertEquals(sdk.generate(PROMPT, chatOptions(60, 9)).text(), text.toString());
        JsonObject end =
                frames.get(frames.size() - 2).getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("length", end.get("finish_reason").getAsString());
        assertEquals(0, end.getAsJsonObject("delta").size());
        JsonObject last = frames.get(frames.size() - 1);
        assertEquals(0, last.getAsJsonArray("choices").size());
        assertEquals(60, last.getAsJsonObject("usage").get("completion_tokens").getAsInt());
    }

    @Test
    void whatItCannotHonourIsRefusedByName() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        String m = "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";
        cases.put(
                "{" + m + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}",
                "400 tools unsupported_parameter");
        cases.put("{" + m + ", \"tool_choice\": \"auto\"}", "400 tool_choice unsupported_parameter");
        cases.put(
                "{" + m + ", \"response_format\": {\"type\": \"json_object\"}}",
                "400 response_format unsupported_parameter");
        cases.put("{" + m + ", \"audio\": {\"voice\": \"alloy\"}}", "400 audio unsupported_parameter");
        cases.put("{" + m + ", \"modalities\": [\"text\", \"audio\"]}", "400 modalities unsupported_parameter");
        cases.put(
                "{\"messages\": [{\"role\": \"tool\", \"content\": \"42\", \"tool_call_id\": \"x\"}]}",
                "400 messages[0].role unsupported_parameter");
        cases.put(
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\":"
                        + " {\"url\": \"http://x/y.png\"}}]}]}",
                "400 messages[0].content[0].type unsupported_parameter");
        cases.put("{\"messages\": []}", "400 messages invalid_value");
        cases.put("{\"prompt\": \"Hi\"}", "400 messages missing");
        cases.put("{\"messages\": [{\"content\": \"Hi\"}]}", "400 messages[0].role missing");
        cases.put(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"caf\u00e9\"}]}", "400 messages unknown_character");
        cases.put("{" + m + ", \"top_logprobs\": 2}", "400 top_logprobs invalid_value");
        cases.put("{" + m + ", \"logprobs\": true, \"top_logprobs\": 21}", "400 top_logprobs invalid_value");
        cases.put("{" + m + ", \"stream_options\": {\"include_usage\": true}}", "400 stream_options invalid_value");
        cases.put("{" + m + ", \"max_completion_tokens\": 3000000}", "400 max_completion_tokens invalid_value");
        cases.put("{" + m + ", \"model\": \"gpt-4o\"}", "404 model model_not_found");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = post(server, "/v1/chat/completions", c.getKey());
            JsonObject e = json(r).getAsJsonObject("error");
            assertEquals(
                    c.getValue(),
                    r.statusCode() + " "
                            + (e.get("param").isJsonNull()
                                    ? "null"
                                    : e.get("param").getAsString()) + " "
                            + e.get("code").getAsString(),
                    c.getKey() + " -> " + r.body());
        }
        // what clients send by default, and harmless fields, are fine
        HttpResponse<String> ok = post(
                server,
                "/v1/chat/completions",
                "{" + m + ", \"max_tokens\": 3,"
                        + " \"response_format\": {\"type\": \"text\"}, \"tool_choice\": \"none\", \"tools\": [], \"store\": false,"
                        + " \"metadata\": {\"a\": \"b\"}, \"parallel_tool_calls\": true, \"user\": \"u\", \"modalities\": [\"text\"],"
                        + " \"logprobs\": false, \"presence_penalty\": 0, \"frequency_penalty\": 0}");
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void aTemplateGivenInTheOptionsShapesThePromptAndItsStops() throws Exception {
        ChatTemplate t = ChatTemplate.parse("{\"user\": \"\\\"{content}\\\" said Ishmael. \", \"assistant\":"
                + " \"\\\"{content}\\\" said Queequeg. \", \"generation\": \"\\\"\", \"stop\": [\"\\\"\"]}");
        try (CharLstmServer s = CharLstmServer.start(
                CompletionServerTest.options(4, 4, 1000, 1000, 2, 60, 0, 0).toBuilder()
                        .chatTemplate(t)
                        .build(),
                CharLstmModel.load(CompletionServerTest.MODEL))) {
            JsonObject o = json(post(
                    s,
                    "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\":"
                            + " \"Where is the whale\"}], \"max_tokens\": 200, \"seed\": 2}"));
            String prompt = "\"Where is the whale\" said Ishmael. \"";
            assertEquals(
                    sdk.generate(
                                    prompt,
                                    GenerationOptions.builder()
                                            .maxCharacters(200)
                                            .seed(2)
                                            .stopSequences("\"")
                                            .build())
                            .text(),
                    o.getAsJsonArray("choices")
                            .get(0)
                            .getAsJsonObject()
                            .getAsJsonObject("message")
                            .get("content")
                            .getAsString());
        }
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class, () -> ChatTemplate.parse("{\"generation\": \"Bot:\", \"colour\": 1}"));
        assertTrue(unknown.getMessage().contains("unknown key \"colour\""), unknown.getMessage());
        IllegalArgumentException noContent =
                assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse("{\"user\": \"User says\"}"));
        assertTrue(noContent.getMessage().contains("{content}"), noContent.getMessage());
        ChatTemplate newline = ChatTemplate.parse("{\"generation\": \"Assistant:\\n\"}");
        IllegalArgumentException lacks = assertThrows(
                IllegalArgumentException.class,
                () -> CharLstmServer.start(
                        CompletionServerTest.options(4, 4, 100, 100, 2, 60, 0, 0).toBuilder()
                                .chatTemplate(newline)
                                .build(),
                        CharLstmModel.load(CompletionServerTest.MODEL)));
        assertTrue(
                lacks.getMessage().contains("\"generation\"")
                        && lacks.getMessage().contains("U+000A")
                        && lacks.getMessage().contains("--chat-template"),
                lacks.getMessage());
        assertEquals(
                ChatTemplate.DEFAULT.toString(),
                ChatTemplate.parse(ChatTemplate.DEFAULT.toString()).toString());
    }

    @Test
    void aModelWithoutTheDefaultTemplatesCharactersServesCompletionsAndSaysWhyChatIsOff() throws Exception {
        try (CharLstmServer s = CharLstmServer.start(
                CompletionServerTest.options(4, 4, 100, 100, 2, 60, 0, 0), Fixtures.load(Fixtures.TINY_V2))) {
            HttpResponse<String> chat = post(
                    s, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\"," + " \"content\": \"the\"}]}");
            assertEquals(501, chat.statusCode(), chat.body());
            assertTrue(
                    json(chat)
                            .getAsJsonObject("error")
                            .get("message")
                            .getAsString()
                            .contains("--chat-template"),
                    chat.body());
            assertEquals(
                    200,
                    post(s, "/v1/completions", "{\"prompt\": \"the \", \"max_tokens\": 5}")
                            .statusCode());
        }
    }
}
