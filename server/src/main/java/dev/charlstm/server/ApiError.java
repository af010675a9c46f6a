package dev.charlstm.server;

import com.google.gson.JsonObject;

/**
 * An error answered in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 * Immutable but for the Retry-After set before it is thrown.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private int retryAfterSeconds;

    /**
     * @param status HTTP status, e.g. 400
     * @param type OpenAI's error type: {@code invalid_request_error}, {@code server_error}, ...
     * @param param the request field at fault, or null
     * @param code a short machine-readable code, or null
     * @param message one line for people
     */
    ApiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** The server is shutting down (or its model was closed): 503. */
    static ApiError shuttingDown() {
        return new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
    }

    /** A field this server cannot honour: 400 naming it. */
    static ApiError unsupported(String param, String why) {
        return new ApiError(
                400,
                "invalid_request_error",
                param,
                "unsupported_parameter",
                param + " is not supported" + (why == null ? " by this server" : ": " + why));
    }

    /** A 400 invalid_request_error about one field. */
    static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", param, code, message);
    }

    /**
     *
     * @param seconds the {@code Retry-After} to send
     *
     * @return this error
     *
     */
    ApiError retryAfter(int seconds) {
        retryAfterSeconds = seconds;
        return this;
    }

    /** @return the {@code Retry-After} seconds, or 0 for none */
    int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** @return OpenAI's error type */
    String type() {
        return type;
    }

    /** @return the HTTP status */
    int status() {
        return status;
    }

    /** @return {@code {"error": {...}}} */
    JsonObject toJson() {
        JsonObject e = new JsonObject();
        e.addProperty("message", getMessage());
        e.addProperty("type", type);
        e.addProperty("param", param);
        e.addProperty("code", code);
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o;
    }
}
