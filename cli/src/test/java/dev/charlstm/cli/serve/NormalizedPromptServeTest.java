package dev.charlstm.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.charlstm.cli.Cli;
import dev.charlstm.runtime.CharLstmModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server takes prompts in the model's normal form, as the SDK does: a decomposed é is the model's é. */
class NormalizedPromptServeTest {

    @TempDir
    Path dir;

    @Test
    void aDecomposedPromptIsTheComposedOne() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "Le café est fermé. L'été, la forêt était calme. ".repeat(60));
        Cli.Result train = Cli.run("train", "--preset", "tiny", "--data", data.toString(), "--out",
                dir.resolve("run").toString(), "--iterations", "20", "--eval-interval", "20", "--sample-length", "0");
        assertEquals(0, train.code(), train.err());
        CompletionServer server = CompletionServer.start(new ServerOptions("127.0.0.1", 0, 8, 8, 200, 1000, 2, 600,
                1, 10_000), "tiny");
        try {
            server.serve(CharLstmModel.load(dir.resolve("run/model")));
            String[] texts = new String[2];
            int i = 0;
            for (Normalizer.Form form : new Normalizer.Form[] {Normalizer.Form.NFC, Normalizer.Form.NFD}) {
                String prompt = Normalizer.normalize("Le café ", form);
                var r = CompletionServerTest.post(server, "/v1/completions", "{\"prompt\": \"" + prompt
                        + "\", \"max_tokens\": 30, \"seed\": 4}");
                assertEquals(200, r.statusCode(), form + ": " + r.body());
                JsonObject body = CompletionServerTest.json(r);
                texts[i++] = body.getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString();
                assertEquals(8, body.getAsJsonObject("usage").get("prompt_tokens").getAsInt(),
                        "usage counts the characters the model sees");
            }
            assertEquals(texts[0], texts[1]);
        } finally {
            server.close();
        }
    }
}
