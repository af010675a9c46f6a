package dev.charlstm.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;

/**
 * A server's address, identity, limits and access rules. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.builder().port(0).modelId("moby-dick").apiKey(System.getenv("KEY")).build();
 * }</pre>
 *
 * <p>Each value's error names the builder method and the {@code charlstm serve} option that sets it.
 */
public final class ServerOptions {

    /** Every default: 127.0.0.1:8080, model id {@code model}, 64 rows, 16 per request, no API key. */
    public static final ServerOptions DEFAULT = builder().build();

    private final String host;
    private final int port;
    private final String modelId;
    private final int maxRows;
    private final int maxRowsPerRequest;
    private final int maxQueue;
    private final int maxPromptCharacters;
    private final int maxTokens;
    private final int maxSessions;
    private final int sessionIdleSeconds;
    private final int drainSeconds;
    private final int flushMicros;
    private final String apiKey;
    private final List<String> corsOrigins;
    private final ChatTemplate chatTemplate;

    private ServerOptions(Builder b) {
        host = Objects.requireNonNull(b.host, "host");
        modelId = Objects.requireNonNull(b.modelId, "modelId");
        if (modelId.isBlank()) {
            throw new IllegalArgumentException("modelId must not be blank");
        }
        if (b.port < 0 || b.port > 65535) {
            throw new IllegalArgumentException("port (--port) must be in 0..65535 (0 = any free one), got " + b.port);
        }
        port = b.port;
        maxRows = positive("maxRows (--max-rows)", b.maxRows);
        maxRowsPerRequest = b.maxRowsPerRequest == 0
                ? Math.min(16, maxRows)
                : positive("maxRowsPerRequest (--max-rows-per-request)", b.maxRowsPerRequest);
        // (0 is the default's marker, so a negative value is the only invalid one below 1)
        if (maxRowsPerRequest > maxRows) {
            throw new IllegalArgumentException("maxRowsPerRequest (--max-rows-per-request) " + maxRowsPerRequest
                    + " is more than maxRows (--max-rows) " + maxRows);
        }
        maxQueue = nonNegative("maxQueue (--max-queue)", b.maxQueue);
        maxPromptCharacters = positive("maxPromptCharacters (--max-prompt-chars)", b.maxPromptCharacters);
        maxTokens = positive("maxTokens (--max-tokens)", b.maxTokens);
        maxSessions = nonNegative("maxSessions (--max-sessions)", b.maxSessions);
        sessionIdleSeconds = positive("sessionIdleSeconds (--session-idle-seconds)", b.sessionIdleSeconds);
        drainSeconds = nonNegative("drainSeconds (--drain-seconds)", b.drainSeconds);
        flushMicros = nonNegative("flushMicros (--flush-us)", b.flushMicros);
        if (b.apiKey != null && (b.apiKey.isEmpty() || !b.apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7F))) {
            throw new IllegalArgumentException("the API key (--api-key or --api-key-file) must be printable ASCII"
                    + " without spaces (it travels in an HTTP header after \"Bearer \"), and not empty");
        }
        apiKey = b.apiKey;
        corsOrigins = List.copyOf(b.corsOrigins);
        for (String o : corsOrigins) {
            if (!o.equals("*") && !isOrigin(o)) {
                throw new IllegalArgumentException("a CORS origin (--cors-origins) is a scheme and host with an"
                        + " optional port, like http://localhost:3000 (no path, query, user, wildcard or trailing"
                        + " slash), or *; got '" + o + "'");
            }
        }
        chatTemplate = Objects.requireNonNull(b.chatTemplate, "chatTemplate");
    }

    /** @return whether {@code o} is an origin a browser sends: http(s)://host[:port], nothing else */
    private static boolean isOrigin(String o) {
        if (!o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
            return false;
        }
        try {
            URI u = new URI(o);
            return u.getHost() != null
                    && u.getUserInfo() == null
                    && (u.getPort() == -1 || u.getPort() > 0 && u.getPort() <= 65535)
                    && u.getRawPath().isEmpty()
                    && u.getRawQuery() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
        return v;
    }

    private static int nonNegative(String what, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + v);
        }
        return v;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.modelId = modelId;
        b.maxRows = maxRows;
        b.maxRowsPerRequest = maxRowsPerRequest;
        b.maxQueue = maxQueue;
        b.maxPromptCharacters = maxPromptCharacters;
        b.maxTokens = maxTokens;
        b.maxSessions = maxSessions;
        b.sessionIdleSeconds = sessionIdleSeconds;
        b.drainSeconds = drainSeconds;
        b.flushMicros = flushMicros;
        b.apiKey = apiKey;
        b.corsOrigins = corsOrigins;
        b.chatTemplate = chatTemplate;
        return b;
    }

    /** @return the address listened on */
    public String host() {
        return host;
    }

    /** @return the port (0 = any free one; {@link CharLstmServer#port()} says which) */
    public int port() {
        return port;
    }

    /** @return the model's name in the API: the {@code model} field requests name, {@code /v1/models} lists */
    public String modelId() {
        return modelId;
    }

    /** @return streams generating at once, across requests (a request with n choices for p prompts wants n × p) */
    public int maxRows() {
        return maxRows;
    }

    /**
     * @return the most rows one request holds at once; its other choices start as its rows free up, and waiting
     *     requests take free rows in turn, so a big request cannot starve a small one
     */
    public int maxRowsPerRequest() {
        return maxRowsPerRequest;
    }

    /** @return requests that may wait for their first row; one more gets 429 with Retry-After */
    public int maxQueue() {
        return maxQueue;
    }

    /** @return the longest prompt, in characters (code points); longer gets 413 */
    public int maxPromptCharacters() {
        return maxPromptCharacters;
    }

    /** @return the largest {@code max_tokens} (characters) a request may ask for; larger gets 400 */
    public int maxTokens() {
        return maxTokens;
    }

    /** @return sessions that may be open at once */
    public int maxSessions() {
        return maxSessions;
    }

    /** @return a session unused this long is closed */
    public int sessionIdleSeconds() {
        return sessionIdleSeconds;
    }

    /** @return on {@link CharLstmServer#close()}, how long requests in flight may go on before they are ended */
    public int drainSeconds() {
        return drainSeconds;
    }

    /**
     * @return a stream's frames reach its client at most this often, in microseconds (each character is still its
     *     own frame; those made in between wait in the output buffer); 0 = every frame at once
     */
    public int flushMicros() {
        return flushMicros;
    }

    /** @return the key {@code /v1/...} requests must send as {@code Authorization: Bearer KEY}, or null for none */
    public String apiKey() {
        return apiKey;
    }

    /**
     * @return origins whose browser pages may call the API ({@code *} = any); empty (the default) = the server's
     *     own origin only. A request carrying an {@code Origin} outside these is refused with 403 before any work.
     */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    /** @return how chat messages become the prompt the model continues */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    @Override
    public String toString() {
        return "ServerOptions[" + host + ":" + port + ", model " + modelId + ", rows " + maxRows + " ("
                + maxRowsPerRequest
                + " per request), queue " + maxQueue + ", api key " + (apiKey == null ? "none" : "set") + ", cors "
                + (corsOrigins.isEmpty() ? "own origin" : corsOrigins) + "]";
    }

    /** Builds {@link ServerOptions}; values are checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private String modelId = "model";
        private int maxRows = 64;
        private int maxRowsPerRequest;
        private int maxQueue = 64;
        private int maxPromptCharacters = 10_000;
        private int maxTokens = 4096;
        private int maxSessions = 256;
        private int sessionIdleSeconds = 600;
        private int drainSeconds = 10;
        private int flushMicros = 10_000;
        private String apiKey;
        private List<String> corsOrigins = List.of();
        private ChatTemplate chatTemplate = ChatTemplate.DEFAULT;

        private Builder() {}

        /**
         * @param address the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
         * @return this builder
         */
        public Builder host(String address) {
            host = address;
            return this;
        }

        /**
         *
         * @param p the port (default 8080; 0 = any free one)
         *
         * @return this builder
         *
         */
        public Builder port(int p) {
            port = p;
            return this;
        }

        /**
         *
         * @param id the model's name in the API (default {@code model})
         *
         * @return this builder
         *
         */
        public Builder modelId(String id) {
            modelId = id;
            return this;
        }

        /**
         *
         * @param n streams generating at once, across requests (default 64)
         *
         * @return this builder
         *
         */
        public Builder maxRows(int n) {
            maxRows = n;
            return this;
        }

        /**
         * @param n the most rows one request holds at once; 0 = the default: 16, or maxRows when smaller
         * @return this builder
         */
        public Builder maxRowsPerRequest(int n) {
            maxRowsPerRequest = n;
            return this;
        }

        /**
         *
         * @param n requests that may wait for rows (default 64)
         *
         * @return this builder
         *
         */
        public Builder maxQueue(int n) {
            maxQueue = n;
            return this;
        }

        /**
         *
         * @param n the longest prompt in characters (default 10,000)
         *
         * @return this builder
         *
         */
        public Builder maxPromptCharacters(int n) {
            maxPromptCharacters = n;
            return this;
        }

        /**
         *
         * @param n the largest max_tokens, in characters (default 4,096)
         *
         * @return this builder
         *
         */
        public Builder maxTokens(int n) {
            maxTokens = n;
            return this;
        }

        /**
         *
         * @param n sessions open at once (default 256)
         *
         * @return this builder
         *
         */
        public Builder maxSessions(int n) {
            maxSessions = n;
            return this;
        }

        /**
         *
         * @param s seconds after which an unused session is closed (default 600)
         *
         * @return this builder
         *
         */
        public Builder sessionIdleSeconds(int s) {
            sessionIdleSeconds = s;
            return this;
        }

        /**
         *
         * @param s seconds requests in flight may go on after close() (default 10)
         *
         * @return this builder
         *
         */
        public Builder drainSeconds(int s) {
            drainSeconds = s;
            return this;
        }

        /**
         *
         * @param us how often a stream's frames are sent, in microseconds (default 10,000)
         *
         * @return this builder
         *
         */
        public Builder flushMicros(int us) {
            flushMicros = us;
            return this;
        }

        /**
         *
         * @param key the API key clients must send, or null for none (default)
         *
         * @return this builder
         *
         */
        public Builder apiKey(String key) {
            apiKey = key;
            return this;
        }

        /**
         * @param origins origins allowed to call from browsers, e.g. {@code http://localhost:3000}, or {@code *}
         *     (default: none but the server's own)
         * @return this builder
         */
        public Builder corsOrigins(List<String> origins) {
            corsOrigins = List.copyOf(origins);
            return this;
        }

        /**
         *
         * @param template how chat messages become a prompt (default {@link ChatTemplate#DEFAULT})
         *
         * @return this builder
         *
         */
        public Builder chatTemplate(ChatTemplate template) {
            chatTemplate = template;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first invalid value and its option
         */
        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }
}
