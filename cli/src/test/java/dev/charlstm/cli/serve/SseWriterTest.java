package dev.charlstm.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hand-built frames are JSON that says exactly the text, whatever the text holds. */
class SseWriterTest {

    @Test
    void framesAreValidJsonForEveryKindOfCharacter() throws Exception {
        String[] texts = {"a", "\"", "\\", "\n", "\r", "\t", "\u0001", "\u001f", "é", "—", "\u2028", "\u2029",
            "\uD83D\uDC33", "mixed \"é\" \uD83D\uDC33\n"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseWriter w = new SseWriter(out, "cmpl-1", 1700000000L, "model \"x\"");
        for (int i = 0; i < texts.length; i++) {
            w.text(i, texts[i]);
        }
        String[] events = out.toString(StandardCharsets.UTF_8).split("\n\n");
        assertEquals(texts.length, events.length);
        for (int i = 0; i < texts.length; i++) {
            JsonObject o = JsonParser.parseString(events[i].substring("data: ".length())).getAsJsonObject();
            JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
            assertEquals(texts[i], c.get("text").getAsString(), "frame " + i);
            assertEquals(i, c.get("index").getAsInt());
            assertEquals("model \"x\"", o.get("model").getAsString());
            assertEquals(1700000000L, o.get("created").getAsLong());
        }
    }
}
