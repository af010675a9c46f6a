package dev.charlstm.server;

import static dev.charlstm.server.CompletionServerTest.sdk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.charlstm.runtime.GenerationOptions;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clients people use, unchanged, against a server with an API key: LangChain4j's OpenAI models (chat, streaming
 * chat, language, streaming language) and the official OpenAI Java SDK (chat, streaming chat, completions,
 * models). Each one's text must be the SDK's for the same seed (or greedy, where a client cannot send a seed).
 */
class OpenAiClientsTest {

    static final String KEY = "sk-charlstm-test";
    static CharLstmServer server;
    static String base;

    @BeforeAll
    static void start() {
        CompletionServerTest.start();
        server = CompletionServerTest.started(
                CompletionServerTest.options(16, 16, 1000, 1000, 2, 60, 0, 10_000).toBuilder()
                        .apiKey(KEY)
                        .build());
        base = server.url() + "/v1";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String chatExpected(String user, int max, long seed) {
        return sdk.generate(
                        "User: " + user + " Assistant:",
                        GenerationOptions.builder()
                                .maxCharacters(max)
                                .seed(seed)
                                .stopSequences("User:")
                                .build())
                .text();
    }

    static String greedy(String prompt, int max) {
        return sdk.generate(
                        prompt,
                        GenerationOptions.builder()
                                .maxCharacters(max)
                                .greedy(true)
                                .build())
                .text();
    }

    @Test
    void langChain4jChatModelsGetTheSdksText() throws Exception {
        OpenAiChatModel chat = OpenAiChatModel.builder()
                .baseUrl(base)
                .apiKey(KEY)
                .modelName("moby")
                .seed(11)
                .maxTokens(60)
                .timeout(Duration.ofSeconds(30))
                .build();
        assertEquals(chatExpected("Who is Ahab?", 60, 11), chat.chat("Who is Ahab?"));

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(base)
                .apiKey(KEY)
                .modelName("moby")
                .seed(12)
                .maxTokens(60)
                .timeout(Duration.ofSeconds(30))
                .build();
        StringBuilder parts = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Who is Ahab?", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                parts.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        String expected = chatExpected("Who is Ahab?", 60, 12);
        assertEquals(expected, parts.toString());
        assertEquals(expected, response.aiMessage().text());
        assertEquals(60, response.tokenUsage().outputTokenCount());

        OpenAiChatModel wrongKey = OpenAiChatModel.builder()
                .baseUrl(base)
                .apiKey("sk-wrong")
                .modelName("moby")
                .build();
        RuntimeException e = assertThrows(RuntimeException.class, () -> wrongKey.chat("Hi"));
        assertTrue(
                String.valueOf(e.getMessage()).contains("invalid_api_key")
                        || e.getClass().getSimpleName().contains("Authentication"),
                e.toString());
    }

    @Test
    void langChain4jLanguageModelsGetTheSdksText() throws Exception {
        // these clients send no seed and no max_tokens: greedy (temperature 0) and OpenAI's default of 16
        OpenAiLanguageModel language = OpenAiLanguageModel.builder()
                .baseUrl(base)
                .apiKey(KEY)
                .modelName("moby")
                .temperature(0.0)
                .build();
        Response<String> r = language.generate("Call me Ishmael. ");
        assertEquals(greedy("Call me Ishmael. ", 16), r.content());

        OpenAiStreamingLanguageModel streaming = OpenAiStreamingLanguageModel.builder()
                .baseUrl(base)
                .apiKey(KEY)
                .modelName("moby")
                .temperature(0.0)
                .build();
        StringBuilder parts = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        streaming.generate("The whale ", new StreamingResponseHandler<String>() {
            @Override
            public void onNext(String token) {
                parts.append(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        done.get(30, TimeUnit.SECONDS);
        assertEquals(greedy("The whale ", 16), parts.toString());
    }

    @Test
    void theOfficialOpenAiJavaSdkChatsCompletesAndRetrievesTheModel() {
        OpenAIClient client =
                OpenAIOkHttpClient.builder().baseUrl(base).apiKey(KEY).build();
        try {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                    .model("moby")
                    .addSystemMessage("A tale of the sea.")
                    .addUserMessage("Who is Ahab?")
                    .maxCompletionTokens(50)
                    .seed(21)
                    .build();
            ChatCompletion c = client.chat().completions().create(params);
            String expected = sdk.generate(
                            "A tale of the sea. User: Who is Ahab? Assistant:",
                            GenerationOptions.builder()
                                    .maxCharacters(50)
                                    .seed(21)
                                    .stopSequences("User:")
                                    .build())
                    .text();
            assertEquals(expected, c.choices().get(0).message().content().orElseThrow());
            assertEquals(50, c.usage().orElseThrow().completionTokens());

            StringBuilder streamed = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> s =
                    client.chat().completions().createStreaming(params)) {
                s.stream()
                        .forEach(chunk -> chunk.choices()
                                .forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
            }
            assertEquals(expected, streamed.toString());

            Completion completion = client.completions()
                    .create(CompletionCreateParams.builder()
                            .model("moby")
                            .prompt("The whale")
                            .maxTokens(40)
                            .seed(8)
                            .build());
            assertEquals(
                    sdk.generate(
                                    "The whale",
                                    GenerationOptions.builder()
                                            .maxCharacters(40)
                                            .seed(8)
                                            .build())
                            .text(),
                    completion.choices().get(0).text());
            StringBuilder streamedText = new StringBuilder();
            try (StreamResponse<Completion> s = client.completions()
                    .createStreaming(CompletionCreateParams.builder()
                            .model("moby")
                            .prompt("The whale")
                            .maxTokens(40)
                            .seed(8)
                            .build())) {
                s.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamedText.append(ch.text())));
            }
            assertEquals(completion.choices().get(0).text(), streamedText.toString());

            assertEquals("moby", client.models().retrieve("moby").id());
            assertEquals("moby", client.models().list().data().get(0).id());
            RuntimeException missing =
                    assertThrows(RuntimeException.class, () -> client.models().retrieve("gpt-4o"));
            assertTrue(missing.getClass().getSimpleName().contains("NotFound"), missing.toString());
        } finally {
            client.close();
        }
    }
}
