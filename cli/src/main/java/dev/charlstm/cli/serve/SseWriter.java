package dev.charlstm.cli.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a streamed completion as Server-Sent Events: one {@code data: {json}} frame per piece of text, built from
 * a prefix made once per request (the hot path: a character costs an escape and a write, no JSON library). Not
 * thread-safe: one request's thread writes.
 */
final class SseWriter {

    private final OutputStream out;
    private final byte[] prefix;
    private final StringBuilder frame = new StringBuilder(256);

    SseWriter(OutputStream out, String id, long created, String model) {
        this.out = out;
        StringBuilder p = new StringBuilder("data: {\"id\":");
        quote(p, id);
        p.append(",\"object\":\"text_completion\",\"created\":").append(created).append(",\"model\":");
        quote(p, model);
        p.append(",\"choices\":[{\"text\":");
        this.prefix = p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the frame of one choice's text (unflushed). */
    void text(int choice, String text) throws IOException {
        frame.setLength(0);
        quote(frame, text);
        frame.append(",\"index\":").append(choice).append(",\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        out.write(prefix);
        out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a frame holding {@code json} and flushes. */
    void data(String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes {@code [DONE]} and flushes. */
    void done() throws IOException {
        data("[DONE]");
    }

    /** Writes an SSE comment line (ignored by clients) and flushes: a keep-alive that finds departed clients. */
    void comment() throws IOException {
        out.write(": \n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Appends {@code s} as a JSON string. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
