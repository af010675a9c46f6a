package dev.charlstm.cli;

import com.google.gson.GsonBuilder;
import dev.charlstm.cli.bench.LoadTest;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code charlstm loadtest}: many streaming clients against a running {@code charlstm serve}. */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Load-test a running `charlstm serve` from this separate process.",
            "%nFor each client count, that many clients stream one completion each at the same moment (after"
                    + " --warmup rounds). Prints characters/s, time to first character, the gap between characters"
                    + " as received, failed and truncated streams.",
            "%nRun it alone: two benchmarks at once on a small machine measure nothing."
        })
final class LoadTestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080", description = "The server.")
    String url;

    @Option(
            names = "--clients",
            paramLabel = "N",
            split = ",",
            defaultValue = "1,64",
            description = "Concurrent client counts, one round each.")
    int[] clients;

    @Option(names = "--chars", paramLabel = "N", defaultValue = "500", description = "Characters per stream.")
    int chars;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "The whale ", description = "The prompt.")
    String prompt;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description = "Unmeasured rounds before each measured one: the server's JIT (and this one's) needs a few"
                    + " seconds of traffic before it runs at speed.")
    int warmup;

    @Option(
            names = "--api",
            paramLabel = "API",
            defaultValue = "completions",
            description = "completions (POST /v1/completions) or chat (POST /v1/chat/completions, the prompt as one"
                    + " user message).")
    String api;

    @Option(
            names = "--small-beside-big",
            paramLabel = "PROMPTSxCHARS",
            description = "Instead of the rounds: time a 20-character request sent 0.5 s after a non-streamed request"
                    + " of PROMPTS prompts x CHARS characters, e.g. 64x10000 (fairness between requests).")
    String smallBesideBig;

    @Option(
            names = "--abandon",
            description = "With --small-beside-big: the big request's client gives up after"
                    + " 0.5 s (closes its connection) before the small request is sent.")
    boolean abandon;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (chars < 2 || Arrays.stream(clients).anyMatch(c -> c < 1)) {
            throw new UsageError("--chars must be at least 2 and --clients positive");
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        PrintWriter out = spec.commandLine().getOut();
        List<LoadTest.Figures> rounds = new ArrayList<>();
        URI uri = URI.create(base);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new UsageError("--url must be http://HOST:PORT, got " + url);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        if (!api.equals("completions") && !api.equals("chat")) {
            throw new UsageError("--api is completions or chat, got " + api);
        }
        if (smallBesideBig != null) {
            String[] pc = smallBesideBig.split("x");
            int prompts;
            int bigChars;
            try {
                prompts = Integer.parseInt(pc[0]);
                bigChars = Integer.parseInt(pc[1]);
            } catch (RuntimeException e) {
                throw new UsageError("--small-beside-big is PROMPTSxCHARS, e.g. 64x10000; got " + smallBesideBig);
            }
            try {
                long[] ms = LoadTest.smallBesideBig(uri.getHost(), port, prompts, bigChars, 500, abandon);
                out.printf(
                        "small request (20 characters) answered in %d ms; big request (%d x %d characters) %s%n",
                        ms[0], prompts, bigChars, abandon ? "abandoned after 500 ms" : "took " + ms[1] + " ms");
            } catch (Exception e) {
                throw new IllegalStateException("--small-beside-big failed: " + e.getMessage(), e);
            }
            return 0;
        }
        boolean chat = api.equals("chat");
        for (int c : clients) {
            for (int w = 0; w < warmup; w++) {
                LoadTest.round(uri.getHost(), port, c, chars, prompt, chat);
            }
            rounds.add(LoadTest.round(uri.getHost(), port, c, chars, prompt, chat));
        }
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(rounds));
        } else {
            out.println(LoadTest.Figures.header());
            rounds.forEach(r -> out.println(r.row()));
        }
        boolean clean = rounds.stream().allMatch(r -> r.failed() == 0 && r.truncated() == 0);
        return clean ? 0 : Main.EXIT_FAILURE;
    }
}
