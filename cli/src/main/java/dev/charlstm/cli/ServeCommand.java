package dev.charlstm.cli;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.server.CharLstmServer;
import dev.charlstm.server.ChatTemplate;
import dev.charlstm.server.ServerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code charlstm serve}: the OpenAI-compatible server of the {@code charlstm-server} module, from the command line. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Serve the model over HTTP with OpenAI's completions and chat completions APIs.",
            "%nPOST /v1/completions and /v1/chat/completions (streaming with Server-Sent Events; max_tokens and usage"
                    + " count characters; logprobs), GET /v1/models[/ID], GET /health, GET /metrics (Prometheus),"
                    + " sessions (POST /v1/sessions, then POST /v1/sessions/ID/completions) and a playground page at /."
                    + " Concurrent requests share batched graph calls. SIGTERM (Ctrl-C) drains and exits."
        })
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(
            names = "--host",
            paramLabel = "ADDR",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port; 0 = any free one.")
    int port;

    @Option(
            names = "--max-rows",
            paramLabel = "N",
            defaultValue = "64",
            description = "Streams generating at once, across requests (a request's prompts x n may not exceed it).")
    int maxRows;

    @Option(
            names = "--max-rows-per-request",
            paramLabel = "N",
            description = "Most streams one request generates at once (its other choices start as these end; waiting"
                    + " requests take free rows in turn); at most --max-rows. Default: 16, or --max-rows if smaller.")
    Integer maxRowsPerRequest;

    @Option(
            names = "--max-queue",
            paramLabel = "N",
            defaultValue = "64",
            description = "Requests that may wait for rows; beyond, 429 with Retry-After.")
    int maxQueue;

    @Option(
            names = "--max-prompt-chars",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Longest prompt in characters; beyond, 413.")
    int maxPromptChars;

    @Option(
            names = "--max-tokens",
            paramLabel = "N",
            defaultValue = "4096",
            description = "Largest max_tokens (characters) a request may ask for; beyond, 400.")
    int maxTokens;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "256", description = "Sessions open at once.")
    int maxSessions;

    @Option(
            names = "--session-idle-seconds",
            paramLabel = "S",
            defaultValue = "600",
            description = "A session unused this long is closed.")
    int sessionIdle;

    @Option(
            names = "--drain-seconds",
            paramLabel = "S",
            defaultValue = "10",
            description = "On SIGTERM, how long streams in flight may finish before they are ended.")
    int drainSeconds;

    @Option(
            names = "--flush-us",
            paramLabel = "US",
            defaultValue = "10000",
            description = "Send a stream's frames at most this often, in microseconds (each character is still its"
                    + " own frame), and notice a client that went away at the latest then; 0 = every character at once."
                    + " 10 ms is smooth to read and sends 64 streams about a fifth faster than 0 on 2 cores (README).")
    int flushMicros;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "Require Authorization: Bearer KEY on /v1/... (401 otherwise); /health, /metrics and the"
                    + " playground stay open. Seen by other users in the process list: prefer --api-key-file.")
    String apiKey;

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description = "Read the API key from the first line of FILE.")
    Path apiKeyFile;

    @Option(
            names = "--cors-origins",
            paramLabel = "ORIGIN",
            split = ",",
            description = "Origins whose pages may call the API from a browser, e.g. http://localhost:3000, or *;"
                    + " default: only the server's own. A request from another origin is refused (403).")
    List<String> corsOrigins;

    @Option(
            names = "--chat-template",
            paramLabel = "JSON|FILE",
            description = "How chat messages become the prompt: JSON with keys system, user, assistant (each with"
                    + " {content}), generation and stop, or a file holding it. Default: "
                    + "\"User: {content} Assistant: {content} ... Assistant:\" on one line, stop \"User:\".")
    String chatTemplate;

    @Override
    public Integer call() throws InterruptedException {
        String id = Path.of(
                        model.model != null
                                ? model.model.toAbsolutePath().normalize().toString()
                                : ModelOptions.SHIPPED)
                .getFileName()
                .toString();
        ServerOptions options = UsageError.check(() -> ServerOptions.builder()
                .host(host)
                .port(port)
                .modelId(id)
                .maxRows(maxRows)
                .maxRowsPerRequest(maxRowsPerRequest == null ? 0 : maxRowsPerRequest)
                .maxQueue(maxQueue)
                .maxPromptCharacters(maxPromptChars)
                .maxTokens(maxTokens)
                .maxSessions(maxSessions)
                .sessionIdleSeconds(sessionIdle)
                .drainSeconds(drainSeconds)
                .flushMicros(flushMicros)
                .apiKey(apiKey())
                .corsOrigins(corsOrigins == null ? List.of() : corsOrigins)
                .chatTemplate(chatTemplate())
                .build());
        CharLstmServer server = CharLstmServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "charlstm-serve-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        String url = server.url();
        out.printf("listening on %s; loading %s%n", url, model.describe());
        out.flush();
        CharLstmModel loaded = model.load();
        try {
            loaded.prepareSequenceGraph(); // the first long prompt should not pay for creating its session
            server.serve(loaded);
        } catch (IllegalArgumentException e) { // the chat template holds a character the model lacks
            loaded.close();
            server.close();
            throw new UsageError(e.getMessage());
        } catch (RuntimeException e) {
            loaded.close();
            server.close();
            throw e;
        }
        out.printf(
                "ready: model '%s' (%s); playground %s/ ; POST %s/v1/completions and /v1/chat/completions%s%n",
                id, loaded.manifest(), url, url, apiKey() != null ? " (with the API key)" : "");
        out.flush();
        stopped.await();
        return 0;
    }

    /** @return the key from --api-key or --api-key-file (its first line), or null */
    private String apiKey() {
        if (apiKey != null && apiKeyFile != null) {
            throw new UsageError("give --api-key or --api-key-file, not both");
        }
        if (apiKeyFile == null) {
            return apiKey;
        }
        try {
            List<String> lines = Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8);
            String key = lines.isEmpty() ? "" : lines.get(0).strip();
            if (key.isEmpty()) {
                throw new UsageError(apiKeyFile + ": the API key file is empty (--api-key-file)");
            }
            return key;
        } catch (IOException e) {
            throw new UsageError(apiKeyFile + ": cannot read the API key file (" + e.getMessage() + ")");
        }
    }

    private ChatTemplate chatTemplate() {
        if (chatTemplate == null) {
            return ChatTemplate.DEFAULT;
        }
        String json = chatTemplate;
        if (!chatTemplate.strip().startsWith("{")) {
            Path file = Path.of(chatTemplate);
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageError("--chat-template " + chatTemplate + ": neither JSON (it starts with {) nor a"
                        + " readable file (" + e.getMessage() + ")");
            }
        }
        try {
            return ChatTemplate.parse(json);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--chat-template: " + e.getMessage());
        }
    }
}
