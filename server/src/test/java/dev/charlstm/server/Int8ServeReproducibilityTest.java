package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.RuntimeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The CLI's default model (the shipped static-int8 package) under load: 32 concurrent seeded streams through real
 * HTTP, with prompts short and long (primed through the sequence graph) and lengths that make rows join and leave
 * the shared batches at different steps, each equal to the same request made alone through the SDK; and {@code n}
 * 3 equal to three requests with seed + i. (With the earlier dynamic-int8 package, 0 of 64 such streams matched.)
 */
class Int8ServeReproducibilityTest {

    @Test
    void seededStreamsOfTheDefaultModelAreTheirSingleRequestTextsUnderLoad() throws Exception {
        CharLstmServer server = CharLstmServer.start(ServerOptions.builder()
                .port(0)
                .modelId("moby-dick-int8")
                .maxRowsPerRequest(64)
                .maxPromptCharacters(2000)
                .build());
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (CharLstmModel alone = CharLstmModel.load(
                CompletionServerTest.MODEL,
                RuntimeOptions.builder().continuousBatching(false).build())) {
            server.serve(CharLstmModel.load(CompletionServerTest.MODEL));
            String[] prompts = {
                "Call me Ishmael. ",
                "The whale",
                "It was the Pequod, and on her deck the harpooneers" + " stood waiting for the word. ",
                "Queequeg "
            };
            List<Future<String>> got = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int seed = 1000 + i;
                String prompt = prompts[i % prompts.length];
                int length = 150 + 37 * (i % 5);
                got.add(pool.submit(() -> CompletionServerTest.texts(
                                CompletionServerTest.frames(CompletionServerTest.post(
                                                server,
                                                "/v1/completions",
                                                "{\"prompt\": \"" + prompt + "\","
                                                        + " \"max_tokens\": " + length
                                                        + ", \"stream\": true, \"temperature\": 0.9,"
                                                        + " \"seed\": " + seed + "}")
                                        .body()),
                                1)
                        .get(0)));
            }
            for (int i = 0; i < 32; i++) {
                GenerationOptions o = GenerationOptions.builder()
                        .maxCharacters(150 + 37 * (i % 5))
                        .seed(1000 + i)
                        .temperature(0.9f)
                        .build();
                assertEquals(
                        alone.generate(prompts[i % prompts.length], o).text(),
                        got.get(i).get(),
                        "stream " + i + " (seed " + (1000 + i) + ")");
            }
            JsonObject n3 = CompletionServerTest.json(CompletionServerTest.post(
                    server,
                    "/v1/completions",
                    "{\"prompt\": \"The sea\", \"n\": 3, \"max_tokens\": 200, \"seed\": 77}"));
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        alone.generate(
                                        "The sea",
                                        GenerationOptions.builder()
                                                .maxCharacters(200)
                                                .seed(77 + i)
                                                .build())
                                .text(),
                        n3.getAsJsonArray("choices")
                                .get(i)
                                .getAsJsonObject()
                                .get("text")
                                .getAsString(),
                        "choice " + i + " = a request with seed 77 + " + i);
            }
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }
}
