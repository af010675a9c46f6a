package dev.charlstm.cli.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.annotations.SerializedName;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A load test of {@code charlstm serve} from outside: {@code clients} threads each stream one completion of
 * {@code characters} characters at the same moment, over real HTTP, and the figures a user sees are taken from the
 * frames as they arrive. The clients are plain blocking sockets ({@link Sse}): on a small machine a load generator
 * that spends a core of its own measures itself more than the server. Stateless.
 */
public final class LoadTest {

    private LoadTest() {}

    /**
     * One round's figures. Immutable.
     *
     * @param clients concurrent clients
     * @param charsPerSecond every client's characters over the round's wall time (first request sent to last
     *     {@code [DONE]})
     * @param firstP50Millis median time from sending a request to its first character
     * @param firstP99Millis 99th percentile of the same
     * @param gapP50Micros median time between consecutive characters of a stream, as the client receives them
     *     (characters that arrive in one frame are 0 apart)
     * @param gapP99Micros 99th percentile of the same
     * @param failed requests that did not answer 200
     * @param truncated streams that ended without {@code [DONE]}, with another length or another finish reason
     */
    public record Figures(
            int clients,
            @SerializedName("chars_per_s") double charsPerSecond,
            @SerializedName("first_p50_ms") double firstP50Millis,
            @SerializedName("first_p99_ms") double firstP99Millis,
            @SerializedName("gap_p50_us") double gapP50Micros,
            @SerializedName("gap_p99_us") double gapP99Micros,
            int failed,
            int truncated) {

        /** @return one row of a table */
        public String row() {
            return String.format(
                    "%7d  %10.0f  %8.1f  %8.1f  %8.0f  %8.0f  %6d  %9d",
                    clients,
                    charsPerSecond,
                    firstP50Millis,
                    firstP99Millis,
                    gapP50Micros,
                    gapP99Micros,
                    failed,
                    truncated);
        }

        /** @return the header of {@link #row()} */
        public static String header() {
            return "clients     chars/s  first p50  first p99  gap p50  gap p99  failed  truncated\n"
                    + "                          (ms)       (ms)     (µs)     (µs)";
        }
    }

    /**
     * Runs one round.
     *
     * @param clients concurrent clients
     * @param characters max_tokens of each request (all are expected to reach it)
     * @param prompt the prompt (with chat, the user message)
     * @param chat whether to call {@code /v1/chat/completions} (one user message) instead of {@code /v1/completions}
     * @return the figures
     * @throws InterruptedException if interrupted
     */
    public static Figures round(String host, int port, int clients, int characters, String prompt, boolean chat)
            throws InterruptedException {
        long[][] gaps = new long[clients][];
        long[] first = new long[clients];
        int[] bad = new int[2];
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int index = c;
            threads[c] = new Thread(
                    () -> {
                        JsonObject body = new JsonObject();
                        if (chat) {
                            JsonArray messages = new JsonArray();
                            JsonObject user = new JsonObject();
                            user.addProperty("role", "user");
                            user.addProperty("content", prompt);
                            messages.add(user);
                            body.add("messages", messages);
                        } else {
                            body.addProperty("prompt", prompt);
                        }
                        body.addProperty("max_tokens", characters);
                        body.addProperty("seed", index);
                        body.addProperty("stream", true);
                        long[] mine = new long[characters];
                        int[] n = {0};
                        boolean[] doneSeen = {false};
                        String[] finish = {null};
                        ready.countDown();
                        try {
                            go.await();
                            long start = System.nanoTime();
                            long[] last = {start};
                            int status = Sse.post(
                                    host,
                                    port,
                                    chat ? "/v1/chat/completions" : "/v1/completions",
                                    body.toString(),
                                    data -> {
                                        long now = System.nanoTime();
                                        if (data.equals("[DONE]")) {
                                            doneSeen[0] = true;
                                            return false;
                                        }
                                        Frame f = Frame.of(data);
                                        if (f == null) {
                                            return false; // an error frame
                                        }
                                        int k = f.text.codePointCount(0, f.text.length());
                                        for (int i = 0; i < k && n[0] < characters; i++) {
                                            mine[n[0]++] = i == 0 ? now - last[0] : 0;
                                        }
                                        if (k > 0) {
                                            if (n[0] == k) {
                                                first[index] = now - start;
                                            }
                                            last[0] = now;
                                        }
                                        if (f.finishReason != null) {
                                            finish[0] = f.finishReason;
                                        }
                                        return true;
                                    });
                            if (status != 200) {
                                synchronized (bad) {
                                    bad[0]++;
                                }
                                return;
                            }
                        } catch (Exception e) {
                            synchronized (bad) {
                                bad[0]++;
                            }
                            return;
                        }
                        if (!doneSeen[0] || n[0] != characters || !"length".equals(finish[0])) {
                            synchronized (bad) {
                                bad[1]++;
                            }
                        }
                        // the first character's gap is the time to first character, reported apart
                        gaps[index] = n[0] > 1 ? Arrays.copyOfRange(mine, 1, n[0]) : new long[0];
                    },
                    "load-" + c);
            threads[c].start();
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        List<Long> allGaps = new ArrayList<>();
        long chars = 0;
        for (long[] g : gaps) {
            if (g != null) {
                chars += g.length + 1;
                for (long x : g) {
                    allGaps.add(x);
                }
            }
        }
        long[] firsts = Arrays.stream(first).filter(x -> x > 0).sorted().toArray();
        long[] sortedGaps = allGaps.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Figures(
                clients,
                chars / wall,
                pct(firsts, 0.5) / 1e6,
                pct(firsts, 0.99) / 1e6,
                pct(sortedGaps, 0.5) / 1e3,
                pct(sortedGaps, 0.99) / 1e3,
                bad[0],
                bad[1]);
    }

    /**
     * The text and finish reason of one choice frame (completions' {@code text}, chat's {@code delta.content}), read
     * without a JSON tree: a load generator that parses every frame into objects would take the cores the server is
     * measured on. Frames with usage only, and chat's role and final frames, read as empty text.
     */
    private record Frame(String text, String finishReason) {
        static Frame of(String data) {
            int t = data.indexOf("\"text\":\"");
            int skip = 8;
            if (t < 0) {
                t = data.indexOf("\"content\":\"");
                skip = 11;
            }
            if (t < 0) {
                if (data.contains("\"error\"")) {
                    return null;
                }
                int f = data.indexOf("\"finish_reason\":\"");
                return new Frame("", f < 0 ? null : data.substring(f + 17, data.indexOf('"', f + 17)));
            }
            StringBuilder text = new StringBuilder();
            int i = t + skip;
            for (; data.charAt(i) != '"'; i++) {
                char c = data.charAt(i);
                if (c == '\\') {
                    char e = data.charAt(++i);
                    if (e == 'u') {
                        text.append((char) Integer.parseInt(data.substring(i + 1, i + 5), 16));
                        i += 4;
                    } else {
                        text.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
                    }
                } else {
                    text.append(c);
                }
            }
            int f = data.indexOf("\"finish_reason\":\"", i);
            return new Frame(text.toString(), f < 0 ? null : data.substring(f + 17, data.indexOf('"', f + 17)));
        }
    }

    /**
     * What a small request waits beside a big one: a non-streamed request of {@code prompts} prompts ×
     * {@code bigCharacters} characters starts, and {@code afterMillis} later a 20-character request is timed (its
     * whole answer). With {@code abandon}, the big request's client gives up (closes its connection) before the small
     * one is sent, as a client with a timeout does.
     *
     * @return {small request's milliseconds, big request's milliseconds or -1 if abandoned}
     * @throws Exception if a request fails
     */
    public static long[] smallBesideBig(
            String host, int port, int prompts, int bigCharacters, long afterMillis, boolean abandon) throws Exception {
        StringBuilder big = new StringBuilder("{\"prompt\": [");
        for (int i = 0; i < prompts; i++) {
            big.append(i > 0 ? ", " : "").append("\"The whale \"");
        }
        big.append("], \"max_tokens\": ").append(bigCharacters).append(", \"seed\": 1}");
        long[] bigMillis = {-1};
        String[] bigStatus = {null};
        Socket socket = new Socket(host, port);
        byte[] b = big.toString().getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        socket.getOutputStream()
                .write(("POST /v1/completions HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + b.length
                                + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        Thread reader = new Thread(() -> {
            try {
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                bigMillis[0] = (System.nanoTime() - t0) / 1_000_000;
                bigStatus[0] = answer.isEmpty() ? "no answer" : answer.substring(0, answer.indexOf('\r'));
            } catch (IOException e) {
                // closed by abandon
            }
        });
        if (!abandon) {
            reader.start();
        }
        Thread.sleep(afterMillis);
        if (abandon) {
            socket.close();
        }
        long s0 = System.nanoTime();
        int status =
                Sse.post(host, port, "/v1/completions", "{\"prompt\": \"The sea \", \"max_tokens\": 20}", data -> true);
        long smallMillis = (System.nanoTime() - s0) / 1_000_000;
        if (status != 200) {
            throw new IllegalStateException("the small request answered " + status);
        }
        if (!abandon) {
            reader.join();
            socket.close();
            if (!bigStatus[0].contains(" 200 ")) {
                throw new IllegalStateException("the big request answered " + bigStatus[0]
                        + " (is its max_tokens within" + " the server's --max-tokens?)");
            }
        }
        return new long[] {smallMillis, bigMillis[0]};
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
}
