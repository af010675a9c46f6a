package dev.charlstm.server;

import dev.charlstm.runtime.CharLstmModel;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server over one {@link CharLstmModel}, on Javalin (Jetty 12). Embed it:
 *
 * <pre>{@code
 * try (CharLstmModel model = CharLstmModel.load(Path.of("models/moby-dick-int8"));
 *         CharLstmServer server = CharLstmServer.start(ServerOptions.builder().port(0).modelId("moby").build(), model)) {
 *     // POST server.url() + "/v1/chat/completions" ... ; closing the server closes the model
 * }
 * }</pre>
 *
 * <p>Routes: {@code POST /v1/completions} and {@code POST /v1/chat/completions} (JSON, or Server-Sent Events with
 * {@code stream}), {@code GET /v1/models} and {@code /v1/models/{id}}, sessions ({@code POST /v1/sessions},
 * {@code POST /v1/sessions/{id}/completions}, {@code DELETE /v1/sessions/{id}}), {@code GET /health},
 * {@code GET /metrics} (Prometheus) and a playground page at {@code /}; {@code HEAD} answers what {@code GET}
 * would, without the body. Every stream of every request is a row of the model's continuous batching: concurrent
 * users' characters come from shared graph calls.
 *
 * <p>Limits and fairness ({@link ServerOptions}): at most {@code maxRows} streams generate at once, at most
 * {@code maxRowsPerRequest} for one request, and waiting requests take free rows in turn; up to {@code maxQueue}
 * requests wait for their first row, more get 429 with {@code Retry-After}. A client that goes away ends its
 * request's rows within about {@value #HEARTBEAT_MILLIS} ms, streamed or not. Access: an optional API key and
 * CORS ({@link AccessControl}).
 *
 * <p>Lifecycle: {@link #start} listens at once ({@code /health} says 503 "loading model" until {@link #serve} hands
 * the model over); {@link #close()} stops taking requests (503), lets those in flight go on for
 * {@code drainSeconds}, ends the rest (a streamed one with an error frame and {@code [DONE]}), stops listening and
 * closes the model. Thread-safe.
 */
public final class CharLstmServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CharLstmServer.class);
    /** Every route and the methods it answers: registration, {@code Allow} headers and metrics' route labels. */
    static final Map<String, String> ROUTES = new LinkedHashMap<>();

    static {
        for (String get : new String[] {"/", "/health", "/metrics", "/v1/models", "/v1/models/{id}"}) {
            ROUTES.put(get, "GET, HEAD, OPTIONS");
        }
        ROUTES.put("/v1/completions", "POST, OPTIONS");
        ROUTES.put("/v1/chat/completions", "POST, OPTIONS");
        ROUTES.put("/v1/sessions", "POST, OPTIONS");
        ROUTES.put("/v1/sessions/{id}", "DELETE, OPTIONS");
        ROUTES.put("/v1/sessions/{id}/completions", "POST, OPTIONS");
    }

    /** @return the route pattern a path belongs to, or null */
    static String route(String path) {
        for (String r : ROUTES.keySet()) {
            if (path.matches(r.replace("{id}", "[^/]+"))) {
                return r;
            }
        }
        return null;
    }

    /** How often streams without output get a keep-alive and non-streamed connections are probed. */
    static final long HEARTBEAT_MILLIS = 100;
    /** Jetty's idle timeout: a stalled upload or a client that stops reading is dropped after this. */
    static final long IDLE_TIMEOUT_MILLIS = 10_000;

    private final ServerOptions options;
    private final long flushNanos;
    private final long created = Instant.now().getEpochSecond();
    private volatile CharLstmModel model;
    private volatile String chatUnavailable;
    private final Admission admission;
    private final AtomicInteger inFlight = new AtomicInteger();
    final Set<CompletionJob> jobs = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ScheduledExecutorService janitor;
    private final Sessions sessions;
    private final ServerMetrics metrics;
    private final AccessControl access;
    private final Javalin app;

    private CharLstmServer(ServerOptions options) {
        this.options = options;
        this.flushNanos = TimeUnit.MICROSECONDS.toNanos(options.flushMicros());
        this.admission = new Admission(options.maxRows(), options.maxRowsPerRequest(), options.maxQueue());
        this.sessions = new Sessions(options.maxSessions(), TimeUnit.SECONDS.toNanos(options.sessionIdleSeconds()));
        this.metrics = new ServerMetrics(options.maxRows(), admission::rowsInUse, admission::waiting, sessions::size);
        this.access = new AccessControl(options);
        this.janitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "charlstm-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, options.sessionIdleSeconds() * 250L);
        // A periodic task that throws is never run again, silently: each one logs its failure and goes on instead,
        // so the futures have nothing to report.
        var unusedExpiry = janitor.scheduleWithFixedDelay(
                guarded("session expiry", sessions::expire), every, every, TimeUnit.MILLISECONDS);
        var unusedHeartbeat = janitor.scheduleWithFixedDelay(
                guarded("heartbeat", this::heartbeat), HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        Routes routes = new Routes(this);
        long maxBody = (long) options.maxRows() * options.maxPromptCharacters() * 6 + (1 << 20);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // One thread per request being answered or waiting for rows, and some for the rest.
            config.jetty.threadPool = new QueuedThreadPool(options.maxRows() + options.maxQueue() + 128, 8);
            config.http.prefer405over404 = true;
            // A prompt array at its limits, in the longest JSON escapes (6 bytes a character), and room for the rest.
            config.http.maxRequestSize = maxBody;
            // Jetty's own errors (a bad request line, headers too large) in OpenAI's JSON, not an HTML page
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
            config.requestLogger.http((ctx, ms) -> {
                // by pattern, also for requests refused before routing (401, 403): a bounded label set
                String route = route(ctx.path());
                metrics.request(
                        route == null ? "unmatched" : route,
                        ctx.method().name(),
                        ctx.status().getCode());
            });
            config.routes.before(access::check);
            for (String path : ROUTES.keySet()) {
                config.routes.addHttpHandler(HandlerType.OPTIONS, path, access::preflight);
            }
            for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.HEAD}) {
                config.routes.addHttpHandler(method, "/", routes::playground);
                config.routes.addHttpHandler(method, "/health", routes::health);
                config.routes.addHttpHandler(method, "/metrics", routes::metrics);
                config.routes.addHttpHandler(method, "/v1/models", routes::models);
                config.routes.addHttpHandler(method, "/v1/models/{id}", routes::model);
            }
            config.routes.post("/v1/completions", ctx -> routes.complete(ctx, false, null));
            config.routes.post("/v1/chat/completions", ctx -> routes.complete(ctx, true, null));
            config.routes.post("/v1/sessions", routes::newSession);
            config.routes.post(
                    "/v1/sessions/{id}/completions",
                    ctx -> routes.complete(ctx, false, sessions.get(ctx.pathParam("id"))));
            config.routes.delete("/v1/sessions/{id}", routes::deleteSession);
            config.routes.exception(ApiError.class, (e, ctx) -> Routes.error(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                String route = route(ctx.path());
                if (e.getStatus() == 405 && route != null) {
                    ctx.header("Allow", ROUTES.get(route)); // RFC 9110: a 405 says what is allowed
                }
                Routes.error(
                        ctx,
                        new ApiError(
                                e.getStatus(),
                                "invalid_request_error",
                                null,
                                switch (e.getStatus()) {
                                    case 404 -> "not_found";
                                    case 405 -> "method_not_allowed";
                                    case 413 -> "request_too_large";
                                    default -> null;
                                },
                                e.getStatus() == 413
                                        ? "the request body is larger than this server takes (" + maxBody
                                                + " bytes, from --max-rows and --max-prompt-chars)"
                                        : e.getMessage()));
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                Routes.error(
                        ctx,
                        new ApiError(
                                500,
                                "server_error",
                                null,
                                null,
                                "internal error (the server's log" + " has the details)"));
            });
        });
    }

    /**
     * Starts listening; completions answer 503 until {@link #serve} hands over the model.
     *
     * @param options address, identity, limits and access
     * @return the running server
     * @throws IllegalStateException naming the address if it cannot listen (the port is taken, ...)
     */
    public static CharLstmServer start(ServerOptions options) {
        CharLstmServer s = new CharLstmServer(options);
        try {
            s.app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            s.janitor.shutdownNow();
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String why = root instanceof UnresolvedAddressException
                    ? "the address does not resolve"
                    : root.getMessage() != null
                            ? root.getMessage()
                            : root.getClass().getSimpleName();
            throw new IllegalStateException(
                    "cannot listen on " + options.host() + ":" + options.port() + " (" + why
                            + "); choose another --port or --host",
                    e);
        }
        for (var c : s.app.jettyServer().server().getConnectors()) {
            if (c instanceof AbstractConnector a) {
                a.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
            }
        }
        return s;
    }

    /**
     * Starts listening and serves a model at once.
     *
     * @param options address, identity, limits and access
     * @param model the model, which the server now owns (closes)
     * @return the running server
     * @throws IllegalArgumentException if the chat template holds a character the model lacks (nothing is left
     *     listening then, and the model stays the caller's to close)
     */
    public static CharLstmServer start(ServerOptions options, CharLstmModel model) {
        CharLstmServer s = start(options);
        try {
            s.serve(model);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * Hands over the model to serve. If the default chat template holds a character the model lacks (a model
     * trained without capitals, say), the server serves completions and answers chat completions 501 naming the
     * character; a template given in the options must fit the model.
     *
     * @param loaded the model, which this server now owns (closes)
     * @throws IllegalArgumentException if a chat template given in the options holds a character the model's
     *     vocabulary lacks (the model is not taken then)
     */
    public void serve(CharLstmModel loaded) {
        try {
            options.chatTemplate().check(loaded.manifest().vocabulary());
            chatUnavailable = null;
        } catch (IllegalArgumentException e) {
            if (options.chatTemplate() != ChatTemplate.DEFAULT) {
                throw e;
            }
            chatUnavailable = e.getMessage();
            LOG.warn("chat completions are off: {}", e.getMessage());
        }
        this.model = loaded;
    }

    /** @return why chat completions cannot be served with this model, or null when they can */
    String chatUnavailable() {
        return chatUnavailable;
    }

    /** @return the port listened on */
    public int port() {
        return app.port();
    }

    /** @return the base address, e.g. {@code http://127.0.0.1:8080} (loopback when listening on every interface) */
    public String url() {
        String host = options.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    /** @return the options it runs with */
    public ServerOptions options() {
        return options;
    }

    // ------------------------------------------------------------------------------------- for routes and jobs

    Admission admission() {
        return admission;
    }

    ServerMetrics metrics() {
        return metrics;
    }

    Sessions sessions() {
        return sessions;
    }

    long flushNanos() {
        return flushNanos;
    }

    long created() {
        return created;
    }

    boolean draining() {
        return draining;
    }

    CharLstmModel model() {
        return model;
    }

    AtomicInteger inFlightCounter() {
        return inFlight;
    }

    /** @return requests being answered (admitted or waiting for rows) */
    int inFlight() {
        return inFlight.get();
    }

    /** @return the open sessions (for tests) */
    int sessionCount() {
        return sessions.size();
    }

    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} failed (it runs again at its next turn)", what, e);
            }
        };
    }

    private void heartbeat() {
        long now = System.nanoTime();
        long every = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS);
        for (CompletionJob job : jobs) {
            job.heartbeat(now, every);
        }
    }

    // ------------------------------------------------------------------------------------------------ shutdown

    /**
     * Stops taking requests (503), lets those in flight go on for {@code drainSeconds}, ends the rest (an error
     * frame and {@code [DONE]} for a stream, 503 otherwise), stops listening and closes the sessions and the model.
     * Idempotent; a second caller waits for the first.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        draining = true;
        try {
            waitForInFlight(TimeUnit.SECONDS.toNanos(options.drainSeconds()));
            admission.close();
            if (inFlight.get() > 0) {
                LOG.info("ending {} request(s) still in flight", inFlight.get());
                jobs.forEach(CompletionJob::cancel);
                waitForInFlight(TimeUnit.SECONDS.toNanos(1));
                // a client that stopped reading blocks its request's writes: close its connection
                jobs.forEach(CompletionJob::abort);
                waitForInFlight(TimeUnit.SECONDS.toNanos(4));
            }
            app.stop();
            janitor.shutdownNow();
            sessions.closeAll();
            CharLstmModel m = model;
            if (m != null) {
                m.close();
            }
        } finally {
            stopped.countDown();
        }
    }

    private void waitForInFlight(long nanos) {
        long end = System.nanoTime() + nanos;
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
