package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hand-built frames are JSON that says exactly the text, whatever the text holds, in both shapes. */
class SseWriterTest {

    static final String[] TEXTS = {
        "a",
        "\"",
        "\\",
        "\n",
        "\r",
        "\t",
        "\u0001",
        "\u001f",
        "é",
        "—",
        "\u2028",
        "\u2029",
        "\uD83D\uDC33",
        "mixed \"é\" \uD83D\uDC33\n"
    };

    @Test
    void completionFramesAreValidJsonForEveryKindOfCharacter() throws Exception {
        for (boolean usage : new boolean[] {false, true}) {
            JsonObject[] frames = write(false, usage);
            for (int i = 0; i < TEXTS.length; i++) {
                JsonObject o = frames[i];
                JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
                assertEquals(TEXTS[i], c.get("text").getAsString(), "frame " + i);
                assertEquals(i, c.get("index").getAsInt());
                assertEquals("text_completion", o.get("object").getAsString());
                assertEquals("model \"x\"", o.get("model").getAsString());
                assertEquals(1700000000L, o.get("created").getAsLong());
                assertEquals(usage, o.has("usage"));
                assertTrue(!usage || o.get("usage").isJsonNull());
            }
        }
    }

    @Test
    void chatFramesCarryTheTextAsDeltaContent() throws Exception {
        for (boolean usage : new boolean[] {false, true}) {
            JsonObject[] frames = write(true, usage);
            for (int i = 0; i < TEXTS.length; i++) {
                JsonObject o = frames[i];
                JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
                assertEquals(TEXTS[i], c.getAsJsonObject("delta").get("content").getAsString(), "frame " + i);
                assertEquals(i, c.get("index").getAsInt());
                assertTrue(c.get("finish_reason").isJsonNull());
                assertEquals("chat.completion.chunk", o.get("object").getAsString());
                assertEquals(usage, o.has("usage"));
            }
        }
    }

    private static JsonObject[] write(boolean chat, boolean usage) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseWriter w = new SseWriter(out, "cmpl-1", 1700000000L, "model \"x\"", chat, usage);
        for (int i = 0; i < TEXTS.length; i++) {
            w.text(i, TEXTS[i]);
        }
        String[] events = out.toString(StandardCharsets.UTF_8).split("\n\n");
        assertEquals(TEXTS.length, events.length);
        JsonObject[] frames = new JsonObject[events.length];
        for (int i = 0; i < events.length; i++) {
            frames[i] = JsonParser.parseString(events[i].substring("data: ".length()))
                    .getAsJsonObject();
        }
        return frames;
    }
}
