package dev.charlstm.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any route runs (a malformed request line or path, headers too large, a method
 * it refuses): in OpenAI's JSON shape like every other error, never Jetty's HTML page. Stateless.
 */
final class JettyErrors extends ErrorHandler {

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        ApiError e = new ApiError(
                code,
                code >= 500 ? "server_error" : "invalid_request_error",
                null,
                "http_" + code,
                message == null || message.isBlank() ? "HTTP " + code : message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(e.toJson().toString().getBytes(StandardCharsets.UTF_8)), callback);
    }
}
