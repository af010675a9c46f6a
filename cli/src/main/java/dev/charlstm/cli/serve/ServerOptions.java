package dev.charlstm.cli.serve;

/**
 * The server's address and limits. Immutable.
 *
 * @param host the address to listen on
 * @param port the port (0 = any free one)
 * @param maxRows streams generating at once, across requests (a request with n choices for p prompts takes n × p)
 * @param maxQueue requests that may wait for rows; one more gets 429 with Retry-After
 * @param maxPromptCharacters the longest prompt, in characters (code points); longer gets 413
 * @param maxTokens the largest max_tokens (characters) a request may ask for; larger gets 400
 * @param maxSessions sessions that may exist at once
 * @param sessionIdleSeconds a session unused this long is closed
 * @param drainSeconds on shutdown, how long streams in flight may go on before they are ended
 * @param flushMicros a stream's frames are sent to its client at most this often (each character is still its own
 *     frame; those made in between wait in the output buffer); 0 = every frame at once
 */
public record ServerOptions(String host, int port, int maxRows, int maxQueue, int maxPromptCharacters, int maxTokens,
        int maxSessions, int sessionIdleSeconds, int drainSeconds, int flushMicros) {

    /** Checks every value. */
    public ServerOptions {
        positive("--max-rows", maxRows);
        positive("--max-prompt-chars", maxPromptCharacters);
        positive("--max-tokens", maxTokens);
        positive("--session-idle-seconds", sessionIdleSeconds);
        if (maxQueue < 0 || maxSessions < 0 || drainSeconds < 0 || flushMicros < 0 || port < 0 || port > 65535) {
            throw new IllegalArgumentException("--max-queue, --max-sessions, --drain-seconds and --flush-us must be >= 0"
                    + " and --port in 0..65535");
        }
    }

    private static void positive(String option, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(option + " must be positive, got " + v);
        }
    }
}
