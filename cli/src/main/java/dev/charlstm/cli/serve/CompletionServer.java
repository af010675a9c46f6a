package dev.charlstm.cli.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.BatchCharacterCallback;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.FinishReason;
import dev.charlstm.runtime.GenerationRequest;
import dev.charlstm.runtime.GenerationResult;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.Provenance;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible completions server over one {@link CharLstmModel}, on Javalin (Jetty 12).
 *
 * <p>Routes: {@code POST /v1/completions} (JSON or Server-Sent Events), {@code GET /v1/models}, {@code GET /health},
 * {@code POST /v1/sessions}, {@code POST /v1/sessions/{id}/completions}, {@code DELETE /v1/sessions/{id}}, and a
 * playground page at {@code /}. Every stream of every request is a row of the model's continuous batching: the
 * characters of concurrent users come from shared graph calls.
 *
 * <p>Limits: at most {@code maxRows} streams generate at once (a request takes prompts × n rows); up to
 * {@code maxQueue} requests wait for rows, more get 429 with {@code Retry-After}. Each character is its own SSE frame;
 * a stream's frames are sent at most every {@code flushMicros} (those made in between wait in the output buffer). A
 * streaming client that goes away is noticed at the next send, which cancels its rows at their next character. {@link #close()} stops taking requests (503),
 * lets streams in flight go on for {@code drainSeconds}, then ends them with an error frame and {@code [DONE]}, and
 * frees the model. Thread-safe.
 */
public final class CompletionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompletionServer.class);
    /** A stream that has sent nothing for this long gets an SSE comment: a departed client is noticed even while
     * its prompt is still being read (no characters yet) or its frames wait for the next flush. */
    static final long HEARTBEAT_MILLIS = 100;
    /** Jetty's idle timeout: a stalled upload or a client that stops reading is dropped after this. */
    static final long IDLE_TIMEOUT_MILLIS = 10_000;

    private final ServerOptions options;
    /** A stream's frames reach its client at most this often (0 = every frame at once). */
    private final long flushNanos;
    private final String modelId;
    private final long created = Instant.now().getEpochSecond();
    private volatile CharLstmModel model;
    private final Semaphore rows;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Job> jobs = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ScheduledExecutorService janitor;
    private final Sessions sessions;
    private final Javalin app;

    private CompletionServer(ServerOptions options, String modelId) {
        this.options = options;
        this.modelId = modelId;
        this.rows = new Semaphore(options.maxRows(), true);
        this.flushNanos = TimeUnit.MICROSECONDS.toNanos(options.flushMicros());
        this.sessions = new Sessions(options.maxSessions(), TimeUnit.SECONDS.toNanos(options.sessionIdleSeconds()));
        this.janitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "charlstm-sessions");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, options.sessionIdleSeconds() * 250L);
        janitor.scheduleWithFixedDelay(sessions::expire, every, every, TimeUnit.MILLISECONDS);
        janitor.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // One thread per streaming request and per waiting one, and some for the rest.
            config.jetty.threadPool = new QueuedThreadPool(options.maxRows() + options.maxQueue() + 128, 8);
            config.http.prefer405over404 = true;
            // A prompt array at its limits, in the longest JSON escapes (6 bytes a character), and room for the rest.
            config.http.maxRequestSize = (long) options.maxRows() * options.maxPromptCharacters() * 6 + (1 << 20);
            // A client that stalls mid-upload, or stops reading, holds a thread and its rows this long at most;
            // streams write at least every HEARTBEAT_MILLIS, so a live one never idles out.
            config.routes.get("/", this::playground);
            config.routes.get("/health", this::health);
            config.routes.get("/v1/models", this::models);
            config.routes.post("/v1/completions", ctx -> complete(ctx, null));
            config.routes.post("/v1/sessions", this::newSession);
            config.routes.post("/v1/sessions/{id}/completions", ctx -> complete(ctx, sessions.get(ctx.pathParam("id"))));
            config.routes.delete("/v1/sessions/{id}", this::deleteSession);
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, new ApiError(e.getStatus(),
                    "invalid_request_error", null, switch (e.getStatus()) {
                        case 404 -> "not_found";
                        case 405 -> "method_not_allowed";
                        case 413 -> "request_too_large";
                        default -> null;
                    }, e.getStatus() == 413 ? "the request body is larger than this server takes ("
                            + (options.maxRows() * (long) options.maxPromptCharacters() * 6 + (1 << 20))
                            + " bytes, from --max-rows and --max-prompt-chars)" : e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, new ApiError(500, "server_error", null, null, "internal error: " + e));
            });
        });
    }

    /**
     * Starts listening; completions answer 503 until {@link #serve} hands over the model.
     *
     * @param options address and limits
     * @param modelId the model's name in the API ({@code model} field, {@code /v1/models})
     * @return the running server
     */
    public static CompletionServer start(ServerOptions options, String modelId) {
        CompletionServer s = new CompletionServer(options, modelId);
        s.app.start(options.host(), options.port());
        for (var c : s.app.jettyServer().server().getConnectors()) {
            if (c instanceof org.eclipse.jetty.server.AbstractConnector a) {
                a.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
            }
        }
        return s;
    }

    /** @param loaded the model to serve, which this server now owns (closes) */
    public void serve(CharLstmModel loaded) {
        this.model = loaded;
    }

    /** @return the port listened on */
    public int port() {
        return app.port();
    }

    /** @return requests holding rows now */
    int inFlight() {
        return inFlight.get();
    }

    /** @return the open sessions */
    int sessionCount() {
        return sessions.size();
    }

    /**
     * Every {@link #HEARTBEAT_MILLIS}: streams that sent nothing for that long get an SSE comment (which also sends
     * frames waiting for their flush); a failed send means the client went away, and the request's thread is
     * interrupted, which ends its rows at their next step, prompt reading included.
     */
    private void heartbeat() {
        long now = System.nanoTime();
        for (Job job : jobs) {
            if (job.out != null && !job.gone && now - job.lastFlush >= TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                job.heartbeat(now);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ routes

    private void playground(Context ctx) throws IOException {
        try (InputStream in = CompletionServer.class.getResourceAsStream("playground.html")) {
            ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
        }
    }

    private void health(Context ctx) {
        JsonObject o = new JsonObject();
        o.addProperty("status", draining ? "shutting down" : model == null ? "loading model" : "ok");
        json(ctx.status(draining || model == null ? 503 : 200), o);
    }

    private void models(Context ctx) {
        CharLstmModel m = ready();
        ModelManifest man = m.manifest();
        Provenance p = man.provenance();
        JsonObject meta = new JsonObject();
        meta.addProperty("vocab_size", man.shape().vocabSize());
        meta.addProperty("embedding_size", man.shape().embeddingSize());
        meta.addProperty("hidden_size", man.shape().hiddenSize());
        meta.addProperty("layers", man.shape().layers());
        meta.addProperty("parameters", man.shape().parameterCount());
        meta.addProperty("vocabulary", new String(man.vocabulary().codePoints(), 0, man.shape().vocabSize()));
        meta.addProperty("corpus", p.corpusName());
        meta.addProperty("iterations", p.iterations());
        meta.addProperty("val_loss_nats_per_char", p.valLoss());
        meta.addProperty("val_bits_per_char", p.valBitsPerChar());
        meta.addProperty("tokens", "characters: max_tokens and usage count Unicode code points");
        JsonObject model = new JsonObject();
        model.addProperty("id", modelId);
        model.addProperty("object", "model");
        model.addProperty("created", created);
        model.addProperty("owned_by", "charlstm");
        model.add("meta", meta);
        JsonArray data = new JsonArray();
        data.add(model);
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", data);
        json(ctx, o);
    }

    private void newSession(Context ctx) {
        Sessions.Session s = sessions.create(ready());
        JsonObject o = new JsonObject();
        o.addProperty("id", s.id);
        o.addProperty("object", "session");
        o.addProperty("model", modelId);
        o.addProperty("idle_timeout_seconds", options.sessionIdleSeconds());
        json(ctx, o);
    }

    private void deleteSession(Context ctx) {
        String id = ctx.pathParam("id");
        if (!sessions.delete(id)) {
            sessions.get(id); // the 404
        }
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", "session");
        o.addProperty("deleted", true);
        json(ctx, o);
    }

    private CharLstmModel ready() {
        if (draining) {
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
        }
        CharLstmModel m = model;
        if (m == null) {
            throw new ApiError(503, "server_error", null, "loading", "the model is still loading; GET /health"
                    + " answers 200 when it is ready").retryAfter(1);
        }
        return m;
    }

    private static JsonObject body(Context ctx) {
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            throw e;
        } catch (RuntimeException e) {
            throw ApiError.invalid(null, "unreadable_body", "the request body could not be read (" + JsonFields.oneLine(e)
                    + ")");
        }
        JsonElement e;
        try {
            // Always UTF-8 (RFC 8259), whatever charset the header names.
            e = JsonFields.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException x) {
            throw ApiError.invalid(null, "invalid_json", "the body is not valid JSON: " + x.getMessage());
        }
        if (!e.isJsonObject()) {
            throw ApiError.invalid(null, "invalid_json", "the body must be a JSON object, got "
                    + CompletionRequest.shown(e));
        }
        return e.getAsJsonObject();
    }

    // ------------------------------------------------------------------------------------------------ completions

    private void complete(Context ctx, Sessions.Session session) throws IOException {
        CharLstmModel m = ready();
        CompletionRequest req = CompletionRequest.parse(body(ctx), options, modelId, m.manifest(),
                session != null);
        if (session != null && !session.lock.tryLock()) {
            throw new ApiError(409, "invalid_request_error", "session", "session_busy", "session " + session.id
                    + " is generating; one completion at a time");
        }
        try {
            if (session != null && req.prompts().get(0).isEmpty() && session.turns == 0) {
                throw ApiError.invalid("prompt", "invalid_value", "session " + session.id + " has no text yet: its"
                        + " first completion needs a prompt");
            }
            int count = req.choices();
            admit(count);
            Job job = new Job(req, session);
            jobs.add(job);
            try {
                if (session != null && session.deleted) {
                    throw Sessions.deleted(session.id);
                }
                if (req.stream()) {
                    stream(ctx, job);
                } else {
                    job.run(m);
                    json(ctx, job.response());
                }
                if (session != null) {
                    session.turns++;
                }
            } finally {
                jobs.remove(job);
                job.finish();
                rows.release(count);
                inFlight.decrementAndGet();
            }
        } finally {
            if (session != null) {
                session.lastUsed = System.nanoTime();
                session.lock.unlock();
                if (session.deleted) {
                    session.stream.close();
                }
            }
        }
    }

    /** Waits for {@code count} rows, or refuses at once when the queue is full. */
    private void admit(int count) {
        boolean now;
        try {
            now = rows.tryAcquire(count, 0, TimeUnit.SECONDS); // the timed form honours the queue's fairness
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
        }
        if (!now) {
            if (waiting.incrementAndGet() > options.maxQueue()) {
                waiting.decrementAndGet();
                throw new ApiError(429, "rate_limit_error", null, "queue_full", "the server is busy: "
                        + options.maxRows() + " streams are generating and " + options.maxQueue()
                        + " requests are waiting (--max-rows, --max-queue); retry shortly").retryAfter(1);
            }
            try {
                rows.acquire(count);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
            } finally {
                waiting.decrementAndGet();
            }
        }
        inFlight.incrementAndGet();
        if (draining) { // admitted after shutdown began: answer as a new request would be
            rows.release(count);
            inFlight.decrementAndGet();
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
        }
    }

    /**
     * Generates on this thread and writes each character as its own frame from the callback, so a character costs
     * no hand-over between threads; the model's scheduler still batches this request's rows with everyone else's.
     * A client that is slow to read holds up only its own rows (the others' graph calls go on without them).
     */
    private void stream(Context ctx, Job job) throws IOException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        job.out = new SseWriter(ctx.res().getOutputStream(), job.id, job.created, modelId);
        job.lastFlush = System.nanoTime();
        try {
            job.lock.lock();
            try {
                for (int i = 0; i < job.choices && job.request.echo(); i++) {
                    job.out.text(i, job.prompt(i));
                }
                job.out.flush();
            } finally {
                job.lock.unlock();
            }
            job.run(model);
            if (job.gone) {
                return;
            }
            if (job.failure != null || job.results.stream().anyMatch(r -> r.finishReason() == FinishReason.CANCELLED
                    || r.finishReason() == FinishReason.ERROR)) {
                ApiError e = job.failure != null ? job.failure : job.endedEarly();
                job.lock.lock();
                try {
                    job.out.data(e.toJson().toString());
                } finally {
                    job.lock.unlock();
                }
            } else {
                job.lock.lock();
                try {
                    for (int i = 0; i < job.choices; i++) {
                        job.out.data(job.chunk(i, "", finishReason(job.results.get(i))));
                    }
                    if (job.request.includeUsage()) {
                        job.out.data(job.usageChunk());
                    }
                } finally {
                    job.lock.unlock();
                }
            }
            job.lock.lock();
            try {
                job.out.done();
            } finally {
                job.lock.unlock();
            }
        } catch (IOException gone) {
            LOG.debug("client went away: {}", gone.toString());
        }
    }

    static String finishReason(GenerationResult r) {
        return r.finishReason() == FinishReason.STOP_SEQUENCE ? "stop" : "length";
    }

    private static void json(Context ctx, JsonElement o) {
        ctx.contentType("application/json").result(o.toString());
    }

    private static void error(Context ctx, ApiError e) {
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        json(ctx.status(e.status()), e.toJson());
    }

    /**
     * One request's generation: its rows, the characters not yet written, and the results. The callback side runs
     * on the generating thread, the frame side on the request's.
     */
    private final class Job implements BatchCharacterCallback {
        final CompletionRequest request;
        final Sessions.Session session;
        final int choices;
        final String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        final long created = Instant.now().getEpochSecond();
        /** The request's thread, which generates: interrupting it ends the rows at their next step. */
        final Thread thread = Thread.currentThread();
        /** Guards the writer (request thread, heartbeat) and {@link #finished}. */
        final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private boolean finished;
        /** Where a streamed answer goes; null when not streaming. */
        SseWriter out;
        /** When this stream last reached the client (frames written since wait in the output buffer). */
        volatile long lastFlush;
        /** Whether the streaming client went away (a write failed). */
        volatile boolean gone;
        volatile boolean cancelled;
        volatile List<GenerationResult> results;
        volatile ApiError failure;

        Job(CompletionRequest request, Sessions.Session session) {
            this.request = request;
            this.session = session;
            this.choices = request.choices();
        }

        String prompt(int choice) {
            return request.prompts().get(choice / request.n());
        }

        void run(CharLstmModel m) {
            try {
                if (session != null) {
                    GenerationResult r = session.stream.generate(prompt(0), request.options(),
                            ch -> onCharacter(0, ch));
                    results = List.of(r);
                } else {
                    List<GenerationRequest> list = new ArrayList<>(choices);
                    for (int i = 0; i < choices; i++) {
                        list.add(GenerationRequest.of(prompt(i),
                                request.options().toBuilder().seed(request.seed() + i).build()));
                    }
                    results = m.generateBatch(list, this);
                }
            } catch (IllegalStateException e) {
                failure = e.getMessage() != null && e.getMessage().contains("closed")
                        ? new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down")
                        : ApiError.invalid("prompt", "invalid_value", e.getMessage());
            } catch (IllegalArgumentException e) {
                failure = ApiError.invalid("prompt", "invalid_value", e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("generation failed", e);
                failure = new ApiError(500, "server_error", null, null, "generation failed: " + e);
            }
        }

        @Override
        public boolean onCharacter(int stream, String character) {
            if (cancelled) {
                return false;
            }
            if (out != null) {
                lock.lock();
                try {
                    out.text(stream, character);
                    long now = System.nanoTime();
                    if (now - lastFlush >= flushNanos) {
                        out.flush();
                        lastFlush = now;
                    }
                } catch (IOException e) {
                    gone = true; // the client went away: its rows stop here, at this character
                    cancelled = true;
                    return false;
                } finally {
                    lock.unlock();
                }
            }
            return true;
        }

        /**
         * An SSE comment from the heartbeat thread; a failed send cancels the request (see {@link #heartbeat()}).
         * Skipped while the request's thread writes: a client that stopped reading blocks that thread, never this.
         */
        void heartbeat(long now) {
            if (gone || cancelled || !lock.tryLock()) {
                return;
            }
            try {
                if (!finished) {
                    out.comment();
                    lastFlush = now;
                }
            } catch (IOException e) {
                gone = true;
                cancel();
            } finally {
                lock.unlock();
            }
        }

        /** Why rows ended early when nothing failed: the session was deleted, or the server is shutting down. */
        ApiError endedEarly() {
            return session != null && session.deleted ? Sessions.deleted(session.id)
                    : new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down:"
                            + " generation ended early");
        }

        void cancel() {
            cancelled = true;
            if (session != null) {
                session.stream.cancel();
            }
            lock.lock();
            try {
                if (out != null && !finished) {
                    thread.interrupt(); // ends a batch's rows even while they read their prompts
                }
            } finally {
                lock.unlock();
            }
        }

        /** Called by the request's thread when it is done: no interrupt may reach it after this. */
        void finish() {
            lock.lock();
            try {
                finished = true;
            } finally {
                lock.unlock();
            }
            Thread.interrupted(); // an interrupt ends with its request, never in Jetty's pool
        }

        String chunk(int choice, String text, String finishReason) {
            JsonObject c = new JsonObject();
            c.addProperty("text", text);
            c.addProperty("index", choice);
            c.add("logprobs", JsonNull.INSTANCE);
            c.addProperty("finish_reason", finishReason);
            JsonArray cs = new JsonArray();
            cs.add(c);
            JsonObject o = head();
            o.add("choices", cs);
            return o.toString();
        }

        String usageChunk() {
            JsonObject o = head();
            o.add("choices", new JsonArray());
            o.add("usage", usage());
            return o.toString();
        }

        private JsonObject head() {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.addProperty("object", "text_completion");
            o.addProperty("created", created);
            o.addProperty("model", modelId);
            return o;
        }

        private JsonObject usage() {
            long prompt = 0;
            for (String p : request.prompts()) {
                prompt += p.codePointCount(0, p.length());
            }
            long completion = 0;
            for (GenerationResult r : results) {
                completion += r.generatedCharacters();
            }
            JsonObject u = new JsonObject();
            u.addProperty("prompt_tokens", prompt);
            u.addProperty("completion_tokens", completion);
            u.addProperty("total_tokens", prompt + completion);
            return u;
        }

        JsonObject response() {
            if (failure != null) {
                throw failure;
            }
            if (results.stream().anyMatch(r -> r.finishReason() == FinishReason.CANCELLED
                    || r.finishReason() == FinishReason.ERROR)) {
                throw endedEarly();
            }
            JsonArray cs = new JsonArray();
            for (int i = 0; i < choices; i++) {
                JsonObject c = new JsonObject();
                c.addProperty("text", (request.echo() ? prompt(i) : "") + results.get(i).text());
                c.addProperty("index", i);
                c.add("logprobs", JsonNull.INSTANCE);
                c.addProperty("finish_reason", finishReason(results.get(i)));
                cs.add(c);
            }
            JsonObject o = head();
            o.add("choices", cs);
            o.add("usage", usage());
            return o;
        }
    }

    // ------------------------------------------------------------------------------------------------ shutdown

    /**
     * Stops taking requests (503), lets streams in flight go on for {@code drainSeconds}, ends the rest (an error
     * frame and {@code [DONE]}), stops listening and closes the sessions and the model. Idempotent; a second caller
     * waits for the first.
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
            if (inFlight.get() > 0) {
                LOG.info("ending {} request(s) still in flight", inFlight.get());
                jobs.forEach(Job::cancel);
                waitForInFlight(TimeUnit.SECONDS.toNanos(5));
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
