package dev.charlstm.cli.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The least a Server-Sent Events client can be: one blocking socket, HTTP/1.1, chunked or plain body, events split
 * on blank lines. For the load test only (no TLS, no redirects). Stateless.
 */
final class Sse {

    private Sse() {}

    /**
     * POSTs JSON and hands each {@code data:} payload to {@code onData} until it returns false or the body ends.
     *
     * @return the HTTP status
     * @throws IOException if the connection fails
     */
    static int post(String host, int port, String path, String json, Predicate<String> onData) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(host, port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                            + "Accept: text/event-stream\r\nConnection: close\r\nContent-Length: " + body.length
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            boolean chunked = false;
            for (String h; !(h = line(in)).isEmpty(); ) {
                chunked |= h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:")
                        && h.toLowerCase(Locale.ROOT).contains("chunked");
            }
            if (status != 200) {
                return status;
            }
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (true) {
                int size;
                if (chunked) {
                    String sizeLine = line(in);
                    size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                    if (size == 0) {
                        return status;
                    }
                } else {
                    size = buf.length;
                }
                int got = 0;
                while (got < size) {
                    int r = in.read(buf, 0, Math.min(buf.length, size - got));
                    if (r < 0) {
                        return status;
                    }
                    pending.write(buf, 0, r);
                    got += r;
                    if (!chunked) {
                        break;
                    }
                }
                if (chunked) {
                    line(in); // the CRLF after the chunk
                }
                if (!events(pending, onData)) {
                    return status;
                }
            }
        }
    }

    /** Hands over the complete events in {@code pending}, keeping the rest; @return false when told to stop. */
    private static boolean events(ByteArrayOutputStream pending, Predicate<String> onData) {
        byte[] b = pending.toByteArray();
        int start = 0;
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\n' && b[i + 1] == '\n') {
                String event = new String(b, start, i - start, StandardCharsets.UTF_8);
                start = i + 2;
                i++;
                if (event.startsWith("data: ") && !onData.test(event.substring(6))) {
                    return false;
                }
            }
        }
        pending.reset();
        pending.write(b, start, b.length - start);
        return true;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
