package dev.charlstm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.internal.JsonFields;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The routes' handlers: read the request, check it, hand generation to a {@link CompletionJob}, answer. */
final class Routes {

    private static final Logger LOG = LoggerFactory.getLogger(Routes.class);

    private final CharLstmServer server;

    Routes(CharLstmServer server) {
        this.server = server;
    }

    void playground(Context ctx) throws IOException {
        try (InputStream in = Routes.class.getResourceAsStream("playground.html")) {
            ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
        }
    }

    void health(Context ctx) {
        JsonObject o = new JsonObject();
        boolean loading = server.model() == null;
        o.addProperty("status", server.draining() ? "shutting down" : loading ? "loading model" : "ok");
        json(ctx.status(server.draining() || loading ? 503 : 200), o);
    }

    void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(server.metrics().scrape());
    }

    void models(Context ctx) {
        CharLstmModel m = ready();
        JsonArray data = new JsonArray();
        data.add(Responses.model(server.options().modelId(), server.created(), m.manifest()));
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", data);
        json(ctx, o);
    }

    void model(Context ctx) {
        CharLstmModel m = ready();
        String id = ctx.pathParam("id");
        if (!id.equals(server.options().modelId())) {
            throw new ApiError(
                    404,
                    "invalid_request_error",
                    "model",
                    "model_not_found",
                    "The model '"
                            + (id.length() > 80 ? id.substring(0, 80) + "..." : id)
                            + "' does not exist: this server serves '"
                            + server.options().modelId() + "'");
        }
        json(ctx, Responses.model(id, server.created(), m.manifest()));
    }

    void newSession(Context ctx) {
        Sessions.Session s = server.sessions().create(ready());
        JsonObject o = new JsonObject();
        o.addProperty("id", s.id);
        o.addProperty("object", "session");
        o.addProperty("model", server.options().modelId());
        o.addProperty("idle_timeout_seconds", server.options().sessionIdleSeconds());
        json(ctx, o);
    }

    void deleteSession(Context ctx) {
        String id = ctx.pathParam("id");
        if (!server.sessions().delete(id)) {
            server.sessions().get(id); // the 404
        }
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", "session");
        o.addProperty("deleted", true);
        json(ctx, o);
    }

    private CharLstmModel ready() {
        if (server.draining()) {
            throw ApiError.shuttingDown();
        }
        CharLstmModel m = server.model();
        if (m == null) {
            throw new ApiError(
                            503,
                            "server_error",
                            null,
                            "loading",
                            "the model is still loading; GET /health" + " answers 200 when it is ready")
                    .retryAfter(1);
        }
        return m;
    }

    /** Reads the body as JSON, whatever the content type says (curl -d sends form-encoded). */
    private static JsonObject body(Context ctx) {
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            throw e;
        } catch (Exception e) { // Jetty's early EOF is a checked IOException, thrown through Kotlin
            LOG.debug("unreadable body: {}", e.toString());
            throw ApiError.invalid(
                    null,
                    "unreadable_body",
                    "the request body could not be read: it ended before its"
                            + " Content-Length, or the connection failed");
        }
        JsonElement e;
        try {
            // Always UTF-8 (RFC 8259), whatever charset the header names.
            e = JsonFields.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException x) {
            throw ApiError.invalid(null, "invalid_json", "the body is not valid JSON: " + x.getMessage());
        }
        if (!e.isJsonObject()) {
            throw ApiError.invalid(
                    null, "invalid_json", "the body must be a JSON object, got " + CompletionRequest.shown(e));
        }
        return e.getAsJsonObject();
    }

    /** {@code POST /v1/completions}, {@code /v1/chat/completions} and a session's completions. */
    void complete(Context ctx, boolean chat, Sessions.Session session) throws IOException {
        long arrived = System.nanoTime();
        CharLstmModel m = ready();
        JsonObject body = body(ctx);
        if (chat && server.chatUnavailable() != null) {
            throw new ApiError(501, "server_error", null, "chat_unavailable", server.chatUnavailable());
        }
        CompletionRequest req = chat
                ? CompletionRequest.parseChat(body, server.options(), m)
                : CompletionRequest.parse(body, server.options(), m, session != null);
        if (session != null && !session.lock.tryLock()) {
            throw new ApiError(
                    409,
                    "invalid_request_error",
                    "session",
                    "session_busy",
                    "session " + session.id + " is generating; one completion at a time");
        }
        try {
            if (session != null && req.prompts().get(0).isEmpty() && session.turns == 0) {
                throw ApiError.invalid(
                        "prompt",
                        "invalid_value",
                        "session " + session.id + " has no text yet: its" + " first completion needs a prompt");
            }
            CompletionJob job = new CompletionJob(server, req, session, arrived);
            server.inFlightCounter().incrementAndGet();
            server.jobs.add(job);
            try {
                // the heartbeat notices a client that gives up, even while the request waits for rows
                job.watch(ServletContextRequest.getServletContextRequest(ctx.req())
                        .getConnectionMetaData()
                        .getConnection()
                        .getEndPoint());
                job.admit();
                server.metrics().promptCharacters(job.counts()[0]); // read, now that it runs
                if (server.draining()) { // admitted after shutdown began: answer as a new request would be
                    throw ApiError.shuttingDown();
                }
                if (session != null && session.deleted) {
                    throw Sessions.deleted(session.id);
                }
                if (req.stream()) {
                    ctx.status(200);
                    ctx.res().setContentType("text/event-stream; charset=utf-8");
                    ctx.res().setHeader("Cache-Control", "no-cache");
                    ctx.res().setHeader("X-Accel-Buffering", "no");
                    try {
                        job.stream(ctx.res().getOutputStream(), m);
                    } catch (IOException gone) {
                        LOG.debug("client went away: {}", gone.toString());
                    }
                } else {
                    job.run(m);
                    if (job.gone) {
                        return; // nobody to answer
                    }
                    if (job.closeConnection) {
                        ctx.header("Connection", "close");
                    }
                    json(ctx, job.response());
                }
                if (session != null) {
                    session.turns++;
                }
            } finally {
                server.jobs.remove(job);
                job.finish();
                server.inFlightCounter().decrementAndGet();
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

    static void json(Context ctx, JsonElement o) {
        ctx.contentType("application/json").result(o.toString());
    }

    static void error(Context ctx, ApiError e) {
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        json(ctx.status(e.status()), e.toJson());
    }
}
