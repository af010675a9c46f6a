package dev.charlstm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.BatchCharacterCallback;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.CharacterCallback;
import dev.charlstm.runtime.CharacterLogprob;
import dev.charlstm.runtime.FinishReason;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationRequest;
import dev.charlstm.runtime.GenerationResult;
import dev.charlstm.runtime.ModelClosedException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's generation: its choices (prompts × n streams), the rows they hold, what is written to the client
 * and the results.
 *
 * <p>Rows: the first is taken by {@link #admit()} before anything is answered (so a full queue is a 429 and not a
 * broken stream). The choices run in waves on the request's own thread, each wave one batch ({@link
 * CharLstmModel#generateBatch}: a graph call per character for all its rows, shared with other requests' rows by the
 * model's scheduler): the first takes what is free up to the per-request cap while nobody waits, each next one
 * waits its turn in {@link Admission}, so a request holds at most its share and waiting requests take free rows in
 * turn.
 *
 * <p>Threads: the request's thread drives and calls back per character; the server's heartbeat thread writes
 * keep-alives and probes the connection. {@link #lock} guards the writer and {@link #finished}.
 */
final class CompletionJob {

    private static final Logger LOG = LoggerFactory.getLogger(CompletionJob.class);

    final CompletionRequest request;
    final Sessions.Session session;
    final int choices;
    final String id;
    final long created = Instant.now().getEpochSecond();
    private final long arrived;
    private final CharLstmServer server;
    private final Admission.Ticket ticket;
    /** The request's thread: interrupting it ends a wait for rows and its generation, prompt reading included. */
    private final Thread thread = Thread.currentThread();

    final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: set when the request's thread is done (no probe or write after). */
    private boolean finished;
    /** Guards {@link #interruptible}: no interrupt reaches the request's thread once it is done. */
    private final Object interruptGuard = new Object();

    private boolean interruptible = true;
    /** Where a streamed answer goes; null when not streaming. */
    private SseWriter out;

    private JsonObject head;
    /** When this stream last reached the client. */
    volatile long lastFlush;
    /** The client went away (a write failed, or the connection probe read its end). */
    volatile boolean gone;

    private volatile boolean cancelled;
    /** A non-streamed request's connection, probed for the client's departure; null when not probed. */
    private volatile EndPoint endPoint;

    private final ByteBuffer probe = ByteBuffer.allocate(1).flip();
    /** The probe read bytes of a pipelined next request: the connection must close after this answer. */
    volatile boolean closeConnection;

    private final GenerationResult[] results;
    /** Per prompt, with echo and logprobs: null for its first character, then the rest's scores. */
    private final List<List<CharacterLogprob>> promptLogprobs = new ArrayList<>();

    private volatile ApiError failure;
    private final long[] lastCharacter;
    /** Per choice: characters sent so far (an echoed prompt included), the next one's {@code text_offset}. */
    private final int[] sent;

    private volatile boolean firstRecorded;

    CompletionJob(CharLstmServer server, CompletionRequest request, Sessions.Session session, long arrivedNanos) {
        this.server = server;
        this.request = request;
        this.session = session;
        this.choices = request.choices();
        this.arrived = arrivedNanos;
        this.id = (request.chat() ? "chatcmpl-" : "cmpl-")
                + UUID.randomUUID().toString().replace("-", "");
        this.ticket = server.admission().ticket();
        this.results = new GenerationResult[choices];
        this.lastCharacter = new long[choices];
        this.sent = new int[choices];
    }

    String prompt(int choice) {
        return request.prompts().get(choice / request.n());
    }

    /**
     * Takes the request's first row, waiting its turn.
     *
     * @throws ApiError 429 when the queue is full, 503 when shutting down
     */
    void admit() {
        try {
            server.admission().acquire(ticket);
        } catch (Admission.QueueFull e) {
            throw new ApiError(
                            429,
                            "rate_limit_error",
                            null,
                            "queue_full",
                            "the server is busy: "
                                    + server.options().maxRows() + " streams are generating and "
                                    + server.options().maxQueue()
                                    + " requests are waiting (--max-rows, --max-queue); retry shortly")
                    .retryAfter(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.shuttingDown();
        }
    }

    /**
     * Lets the heartbeat probe the request's connection for the client's departure until an answer is being
     * written: while it waits for rows, and for the whole of a non-streamed request.
     */
    void watch(EndPoint connection) {
        this.endPoint = connection;
    }

    // -------------------------------------------------------------------------------------------------- generation

    /** Generates every choice (the first row is held), then returns; failures are kept for the answer. */
    void run(CharLstmModel model) {
        try {
            if (request.echo() && request.logprobs() >= 0) {
                for (String p : request.prompts()) {
                    List<CharacterLogprob> scores = new ArrayList<>();
                    scores.add(null);
                    scores.addAll(model.logprobs(p, request.logprobs()));
                    promptLogprobs.add(scores);
                }
            }
            if (out != null && request.echo()) {
                writeEcho();
            }
        } catch (IOException e) {
            gone = true;
            cancelled = true;
            return; // the first row goes back with the request (releaseAll)
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        if (session != null) {
            runSession();
            return;
        }
        // Choices run in waves, each a batch driven by this thread (one graph call a character for the whole wave,
        // no hand-over between threads): the first wave takes the row admit() took and whatever else is free while
        // nobody waits, up to the per-request cap; each next wave waits its turn for rows.
        int cap = server.options().maxRowsPerRequest();
        int next = 0;
        int granted = 1 + server.admission().takeMore(ticket, Math.min(cap, choices) - 1);
        while (true) {
            runWave(model, next, granted);
            server.admission().release(ticket, granted);
            next += granted;
            if (next >= choices || cancelled || failure != null) {
                return;
            }
            try {
                granted = server.admission().acquireUpTo(ticket, Math.min(cap, choices - next));
            } catch (InterruptedException e) {
                cancelled = true; // the client went away or the server is closing
                return;
            } catch (ApiError e) {
                failure = e; // shutting down
                return;
            }
        }
    }

    /** Choices {@code [from, from + n)} as one batch on this thread. */
    private void runWave(CharLstmModel model, int from, int n) {
        List<GenerationRequest> wave = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            GenerationOptions options = i == 0
                    ? request.options()
                    : request.options().toBuilder().seed(request.seed() + i).build();
            wave.add(GenerationRequest.of(prompt(i), options));
        }
        Sink[] sinks = new Sink[n];
        for (int k = 0; k < n; k++) {
            sinks[k] = new Sink(from + k);
        }
        try {
            List<GenerationResult> got = model.generateBatch(wave, new BatchCharacterCallback() {
                @Override
                public boolean onCharacter(int stream, String character) {
                    return sinks[stream].onCharacter(character, null);
                }

                @Override
                public boolean onCharacter(int stream, String character, CharacterLogprob logprob) {
                    return sinks[stream].onCharacter(character, logprob);
                }
            });
            for (int k = 0; k < n; k++) {
                results[from + k] = got.get(k);
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** A session's completion: one choice on the session's own stream. */
    private void runSession() {
        try {
            results[0] = session.stream.generate(prompt(0), request.options(), new Sink(0));
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        if (e instanceof ModelClosedException) {
            failure = ApiError.shuttingDown();
        } else if (e instanceof IllegalArgumentException) {
            failure = ApiError.invalid("prompt", "invalid_value", e.getMessage());
        } else if (e instanceof IllegalStateException && session != null) {
            failure = ApiError.invalid("prompt", "invalid_value", e.getMessage()); // e.g. nothing to continue from
        } else {
            LOG.error("generation failed", e);
            failure = new ApiError(
                    500, "server_error", null, null, "generation failed (the server's log has the" + " details)");
        }
    }

    /** Receives one choice's characters (on whichever thread generates it). */
    private final class Sink implements CharacterCallback {
        private final int choice;

        Sink(int choice) {
            this.choice = choice;
        }

        @Override
        public boolean onCharacter(String character) {
            return onCharacter(character, null);
        }

        @Override
        public boolean onCharacter(String character, CharacterLogprob logprob) {
            if (cancelled) {
                return false;
            }
            long now = System.nanoTime();
            if (lastCharacter[choice] != 0) {
                server.metrics().perCharacter(now - lastCharacter[choice]);
            } else if (!firstRecorded) {
                firstRecorded = true;
                server.metrics().firstCharacter(now - arrived);
            }
            lastCharacter[choice] = now;
            server.metrics().generatedCharacter();
            if (out == null) {
                return true;
            }
            lock.lock();
            try {
                if (logprob == null) {
                    out.text(choice, character);
                } else {
                    out.frame(chunk(choice, character, List.of(character), List.of(logprob), sent[choice], null)
                            .toString());
                }
                sent[choice]++;
                if (now - lastFlush >= server.flushNanos()) {
                    out.flush();
                    lastFlush = now;
                }
            } catch (IOException e) {
                gone = true; // the client went away: every row of the request stops at its next character
                cancelled = true;
                return false;
            } finally {
                lock.unlock();
            }
            return true;
        }
    }

    private void cancelStreams() {
        if (session != null) {
            session.stream.cancel();
        }
    }

    /**
     * Ends the request's generation (the client went away, or the server is closing): its rows stop at their next
     * character (or chunk of prompt), and a wait for rows ends.
     */
    void cancel() {
        cancelled = true;
        cancelStreams();
        // not the writer's lock: a request blocked writing to a client that stopped reading holds that one
        synchronized (interruptGuard) {
            if (!interruptible) {
                return;
            }
            thread.interrupt();
        }
    }

    /**
     * Closes the request's connection: for a client that stopped reading, whose writes would otherwise block the
     * request's thread until Jetty's idle timeout, when the server must stop now (after its drain time).
     */
    void abort() {
        EndPoint e = endPoint;
        if (e != null) {
            e.close();
        }
    }

    /**
     * Called by the request's thread when it is done: gives back any row still held, and no interrupt, probe or
     * heartbeat reaches it after this.
     */
    void finish() {
        server.admission().releaseAll(ticket);
        synchronized (interruptGuard) {
            interruptible = false;
        }
        lock.lock();
        try {
            finished = true;
        } finally {
            lock.unlock();
        }
        Thread.interrupted(); // an interrupt ends with its request, never in Jetty's pool
    }

    // ---------------------------------------------------------------------------------------------------- heartbeat

    /**
     * From the heartbeat thread: a stream that sent nothing for a while gets an SSE comment (which also sends frames
     * waiting for their flush); a non-streamed request's connection is probed for its end. Either way, a client that
     * went away cancels the request. Skipped while the request's side holds the lock: a client that stopped reading
     * blocks that side, never this.
     */
    void heartbeat(long now, long everyNanos) {
        if (gone || cancelled || !lock.tryLock()) {
            return;
        }
        try {
            if (finished) {
                return;
            }
            if (out != null) {
                if (now - lastFlush >= everyNanos) {
                    out.comment();
                    lastFlush = now;
                }
            } else if (endPoint != null && !closeConnection) {
                // Jetty reads nothing while a handler runs, so it would not notice; the body was read, so the next
                // bytes are the end of the connection, or a pipelined request (then this answer closes it)
                int n = endPoint.fill(probe);
                if (n < 0) {
                    gone = true;
                } else if (n > 0) {
                    closeConnection = true;
                }
            }
        } catch (IOException e) {
            gone = true;
        } finally {
            lock.unlock();
        }
        if (gone) {
            LOG.debug("client of {} went away: cancelling it", id);
            cancel();
        }
    }

    // ------------------------------------------------------------------------------------------------------ answers

    /** Writes the streamed answer: the opening frames, the characters as they come, the end. */
    void stream(OutputStream body, CharLstmModel model) throws IOException {
        head = Responses.head(
                id,
                request.chat() ? "chat.completion.chunk" : "text_completion",
                created,
                server.options().modelId());
        lock.lock();
        try {
            out = new SseWriter(body, id, created, server.options().modelId(), request.chat(), request.includeUsage());
            lastFlush = System.nanoTime();
            for (int i = 0; i < choices; i++) {
                if (request.chat()) {
                    out.frame(Responses.chatChunk(head, i, "assistant", "", null, null, request.includeUsage())
                            .toString());
                }
            }
            out.flush();
        } finally {
            lock.unlock();
        }
        run(model);
        if (gone) {
            return;
        }
        lock.lock();
        try {
            if (failure != null || ended()) {
                out.frame((failure != null ? failure : endedEarly()).toJson().toString());
            } else {
                for (int i = 0; i < choices; i++) {
                    String reason = Responses.finishReason(results[i]);
                    out.frame((request.chat()
                                    ? Responses.chatChunk(head, i, null, null, null, reason, request.includeUsage())
                                    : Responses.completionChunk(head, i, "", null, reason, request.includeUsage()))
                            .toString());
                }
                if (request.includeUsage()) {
                    out.frame(Responses.usageChunk(head, usage()).toString());
                }
            }
            out.done();
        } finally {
            lock.unlock();
        }
    }

    /** Writes each choice's echoed prompt as its first frame (with its scores when logprobs are asked). */
    private void writeEcho() throws IOException {
        lock.lock();
        try {
            for (int i = 0; i < choices; i++) {
                String prompt = prompt(i);
                if (request.logprobs() >= 0) {
                    out.frame(chunk(i, prompt, characters(prompt), promptLogprobs.get(i / request.n()), 0, null)
                            .toString());
                } else {
                    out.text(i, prompt);
                }
                sent[i] = prompt.codePointCount(0, prompt.length());
            }
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    private JsonObject chunk(
            int choice,
            String text,
            List<String> characters,
            List<CharacterLogprob> logprobs,
            int offset,
            String finishReason) {
        boolean usageNull = request.includeUsage();
        if (request.chat()) {
            return Responses.chatChunk(
                    head, choice, null, text, Responses.chatLogprobs(logprobs), finishReason, usageNull);
        }
        return Responses.completionChunk(
                head,
                choice,
                text,
                Responses.completionLogprobs(characters, logprobs, offset),
                finishReason,
                usageNull);
    }

    private static List<String> characters(String s) {
        List<String> out = new ArrayList<>();
        s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }

    /** Whether a row ended early although nothing failed (cancelled: a deleted session, or shutting down). */
    private boolean ended() {
        for (GenerationResult r : results) {
            if (r == null || r.finishReason() == FinishReason.CANCELLED || r.finishReason() == FinishReason.ERROR) {
                return true;
            }
        }
        return false;
    }

    /** Why rows ended early when nothing failed: the session was deleted, or the server is shutting down. */
    private ApiError endedEarly() {
        return session != null && session.deleted
                ? Sessions.deleted(session.id)
                : new ApiError(
                        503,
                        "server_error",
                        null,
                        "shutting_down",
                        "the server is shutting down:" + " generation ended early");
    }

    /** @return characters read and generated, for usage and metrics */
    long[] counts() {
        long prompt = 0;
        for (String p : request.prompts()) {
            prompt += p.codePointCount(0, p.length());
        }
        long completion = 0;
        for (GenerationResult r : results) {
            completion += r == null ? 0 : r.generatedCharacters();
        }
        return new long[] {prompt, completion};
    }

    private JsonObject usage() {
        long[] c = counts();
        return Responses.usage(c[0], c[1]);
    }

    /** @return the non-streamed answer @throws ApiError what failed, or why rows ended early */
    JsonObject response() {
        if (failure != null) {
            throw failure;
        }
        if (ended()) {
            throw endedEarly();
        }
        JsonArray cs = new JsonArray();
        for (int i = 0; i < choices; i++) {
            GenerationResult r = results[i];
            JsonObject c = new JsonObject();
            if (request.chat()) {
                c.addProperty("index", i);
                JsonObject message = new JsonObject();
                message.addProperty("role", "assistant");
                message.addProperty("content", r.text());
                message.add("refusal", JsonNull.INSTANCE);
                c.add("message", message);
                c.add("logprobs", request.logprobs() >= 0 ? Responses.chatLogprobs(r.logprobs()) : JsonNull.INSTANCE);
            } else {
                String prompt = request.echo() ? prompt(i) : "";
                c.addProperty("text", prompt + r.text());
                c.addProperty("index", i);
                if (request.logprobs() >= 0) {
                    List<String> chars = characters(prompt + r.text());
                    List<CharacterLogprob> lps = new ArrayList<>();
                    if (request.echo()) {
                        lps.addAll(promptLogprobs.get(i / request.n()));
                    }
                    lps.addAll(r.logprobs());
                    c.add("logprobs", Responses.completionLogprobs(chars, lps, 0));
                } else {
                    c.add("logprobs", JsonNull.INSTANCE);
                }
            }
            c.addProperty("finish_reason", Responses.finishReason(r));
            cs.add(c);
        }
        JsonObject o = Responses.head(
                id,
                request.chat() ? "chat.completion" : "text_completion",
                created,
                server.options().modelId());
        o.add("choices", cs);
        o.add("usage", usage());
        return o;
    }
}
