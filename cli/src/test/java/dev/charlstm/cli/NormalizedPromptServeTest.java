package dev.charlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.server.CharLstmServer;
import dev.charlstm.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server takes prompts in the model's normal form, as the SDK does: a decomposed é is the model's é. Here, in the
 * CLI's tests, because it needs a model trained on accented text; it also embeds the server through its public API.
 */
class NormalizedPromptServeTest {

    @TempDir
    Path dir;

    @Test
    void aDecomposedPromptIsTheComposedOne() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "Le café est fermé. L'été, la forêt était calme. ".repeat(60));
        Cli.Result train = Cli.run(Cli.tinyTraining(
                data.toString(), dir.resolve("run").toString(), "20", "--eval-interval", "20", "--sample-length", "0"));
        assertEquals(0, train.code(), train.err());
        HttpClient http = HttpClient.newHttpClient();
        try (CharLstmServer server = CharLstmServer.start(
                ServerOptions.builder().port(0).modelId("tiny").build(),
                CharLstmModel.load(dir.resolve("run/model")))) {
            String[] texts = new String[2];
            int i = 0;
            for (Normalizer.Form form : new Normalizer.Form[] {Normalizer.Form.NFC, Normalizer.Form.NFD}) {
                String prompt = Normalizer.normalize("Le café ", form);
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 30," + " \"seed\": 4}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), form + ": " + r.body());
                JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
                texts[i++] = body.getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .get("text")
                        .getAsString();
                assertEquals(
                        8,
                        body.getAsJsonObject("usage").get("prompt_tokens").getAsInt(),
                        "usage counts the characters the model sees");
            }
            assertEquals(texts[0], texts[1]);
        }
    }
}
