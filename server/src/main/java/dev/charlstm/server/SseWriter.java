package dev.charlstm.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a streamed completion as Server-Sent Events: one {@code data: {json}} frame per piece of text, built from
 * a prefix made once per request (the hot path: a character costs an escape and a write, no JSON library), in the
 * completions shape ({@code text_completion}, {@code choices[].text}) or the chat shape
 * ({@code chat.completion.chunk}, {@code choices[].delta.content}). Not thread-safe: the caller holds its job's lock.
 */
final class SseWriter {

    private final OutputStream out;
    private final byte[] prefix;
    private final boolean chat;
    /** {@code ,"usage":null} when usage was asked for (OpenAI puts it on every chunk but the last), else empty. */
    private final String usageNull;

    private final StringBuilder frame = new StringBuilder(256);
    /** The frame's UTF-8, reused: a character's frame allocates nothing. */
    private byte[] bytes = new byte[1024];

    SseWriter(OutputStream out, String id, long created, String model, boolean chat, boolean includeUsage) {
        this.out = out;
        this.chat = chat;
        this.usageNull = includeUsage ? ",\"usage\":null" : "";
        StringBuilder p = new StringBuilder("data: {\"id\":");
        quote(p, id);
        p.append(",\"object\":\"")
                .append(chat ? "chat.completion.chunk" : "text_completion")
                .append("\",\"created\":")
                .append(created)
                .append(",\"model\":");
        quote(p, model);
        p.append(chat ? ",\"choices\":[{\"index\":" : ",\"choices\":[{\"text\":");
        this.prefix = p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the frame of one choice's text (unflushed). */
    void text(int choice, String text) throws IOException {
        frame.setLength(0);
        if (chat) {
            frame.append(choice).append(",\"delta\":{\"content\":");
            quote(frame, text);
            frame.append("},\"logprobs\":null,\"finish_reason\":null}]")
                    .append(usageNull)
                    .append("}\n\n");
        } else {
            quote(frame, text);
            frame.append(",\"index\":")
                    .append(choice)
                    .append(",\"logprobs\":null,\"finish_reason\":null}]")
                    .append(usageNull)
                    .append("}\n\n");
        }
        out.write(prefix);
        out.write(bytes, 0, utf8(frame));
    }

    /** Writes a frame holding {@code json} (unflushed). */
    void frame(String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Encodes {@code s} into {@link #bytes} (growing it when needed); @return the byte count. */
    private int utf8(CharSequence s) {
        if (bytes.length < s.length() * 3) {
            bytes = new byte[s.length() * 3];
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (Character.isHighSurrogate((char) c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, s.charAt(++i));
            } else if (Character.isSurrogate((char) c)) {
                c = '?'; // a lone surrogate is no character (vocabularies cannot hold one)
            }
            if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else if (c < 0x800) {
                bytes[n++] = (byte) (0xC0 | c >> 6);
                bytes[n++] = (byte) (0x80 | c & 0x3F);
            } else if (c < 0x10000) {
                bytes[n++] = (byte) (0xE0 | c >> 12);
                bytes[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[n++] = (byte) (0x80 | c & 0x3F);
            } else {
                bytes[n++] = (byte) (0xF0 | c >> 18);
                bytes[n++] = (byte) (0x80 | c >> 12 & 0x3F);
                bytes[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[n++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return n;
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
                        b.append("\\u");
                        for (int shift = 12; shift >= 0; shift -= 4) {
                            b.append(Character.forDigit(c >> shift & 0xF, 16));
                        }
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
