package dev.charlstm.cli;

import dev.charlstm.cli.serve.CompletionServer;
import dev.charlstm.cli.serve.ServerOptions;
import dev.charlstm.runtime.CharLstmModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code charlstm serve}: an OpenAI-compatible completions server with a playground page. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Serve the model over HTTP with OpenAI's completions API and a playground page.",
            "%nPOST /v1/completions (streaming with Server-Sent Events; max_tokens and usage count characters),"
                    + " GET /v1/models, GET /health, sessions (POST /v1/sessions, then POST"
                    + " /v1/sessions/ID/completions) and a playground page at /. Concurrent requests share batched"
                    + " graph calls. SIGTERM (Ctrl-C) drains and exits."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port; 0 = any free one.")
    int port;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "64",
            description = "Streams generating at once, across requests (a request takes prompts x n).")
    int maxRows;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "64",
            description = "Requests that may wait for rows; beyond, 429 with Retry-After.")
    int maxQueue;

    @Option(names = "--max-prompt-chars", paramLabel = "N", defaultValue = "10000",
            description = "Longest prompt in characters; beyond, 413.")
    int maxPromptChars;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "4096",
            description = "Largest max_tokens (characters) a request may ask for; beyond, 400.")
    int maxTokens;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "256", description = "Sessions open at once.")
    int maxSessions;

    @Option(names = "--session-idle-seconds", paramLabel = "S", defaultValue = "600",
            description = "A session unused this long is closed.")
    int sessionIdle;

    @Option(names = "--drain-seconds", paramLabel = "S", defaultValue = "10",
            description = "On SIGTERM, how long streams in flight may finish before they are ended.")
    int drainSeconds;

    @Option(names = "--flush-us", paramLabel = "US", defaultValue = "10000",
            description = "Send a stream's frames at most this often, in microseconds (each character is still its"
                    + " own frame), and notice a client that went away at the latest then; 0 = every character at once."
                    + " 10 ms is smooth to read and sends 64 streams about a fifth faster than 0 on 2 cores (README).")
    int flushMicros;

    @Override
    public Integer call() throws InterruptedException {
        ServerOptions options = UsageError.check(() -> new ServerOptions(host, port, maxRows, maxQueue, maxPromptChars,
                maxTokens, maxSessions, sessionIdle, drainSeconds, flushMicros));
        String id = Path.of(model.model != null ? model.model.toAbsolutePath().normalize().toString()
                : ModelOptions.SHIPPED).getFileName().toString();
        CompletionServer server;
        try {
            server = CompletionServer.start(options, id);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " (" + rootMessage(e)
                    + "); choose another --port or --host", e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "charlstm-serve-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        String url = "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + server.port();
        out.printf("listening on %s; loading %s%n", url, model.describe());
        out.flush();
        CharLstmModel loaded = model.load();
        try {
            loaded.prepareSequenceGraph(); // the first long prompt should not pay for creating its session
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        server.serve(loaded);
        out.printf("ready: model '%s' (%s); playground %s/ ; POST %s/v1/completions%n", id, loaded.manifest(), url, url);
        out.flush();
        stopped.await();
        return 0;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
