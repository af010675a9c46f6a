package dev.charlstm.server;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * Who may call: the API key and CORS, checked before any route does work. Stateless but for its options.
 *
 * <ul>
 *   <li><b>API key</b> (when set): every {@code /v1/...} request must send {@code Authorization: Bearer KEY}; a
 *       missing or wrong key is 401 in OpenAI's shape. Keys are compared in constant time (SHA-256 digests through
 *       {@link MessageDigest#isEqual}). {@code /health}, {@code /metrics}, the playground page and CORS preflights
 *       stay open, as in vLLM.
 *   <li><b>CORS</b>: a request carrying an {@code Origin} header (which browsers add to every cross-site request)
 *       is refused with 403 unless the origin is allowed: listed in {@code --cors-origins}, {@code *}, or the
 *       server's own (the origin names the host the request was sent to, and, when the server listens on a
 *       loopback address, that host is a loopback name: a DNS-rebound page cannot pass as the server's own; a page
 *       of {@code localhost:PORT} may call {@code 127.0.0.1:PORT}, the same server). So a
 *       web page cannot make a local server generate through a "simple" cross-site POST, while clients that send
 *       no {@code Origin} (curl, SDKs) are unaffected. Allowed origins get {@code Access-Control-Allow-Origin};
 *       preflights ({@code OPTIONS} with {@code Access-Control-Request-Method}) are answered 204.
 * </ul>
 */
final class AccessControl {

    private final byte[] keyDigest;
    private final List<String> origins;
    private final boolean anyOrigin;
    private final boolean loopbackOnly;

    AccessControl(ServerOptions options) {
        this.keyDigest = options.apiKey() == null ? null : sha256(options.apiKey());
        this.origins = options.corsOrigins().stream()
                .map(o -> o.toLowerCase(Locale.ROOT))
                .toList();
        this.anyOrigin = origins.contains("*");
        this.loopbackOnly = isLoopback(options.host());
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }

    /** The before-handler of every request. @throws ApiError 401 or 403 */
    void check(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin != null) {
            if (!allowed(origin, ctx.header("Host"))) {
                throw new ApiError(
                        403,
                        "invalid_request_error",
                        null,
                        "origin_not_allowed",
                        origin.equals("null")
                                ? "requests from an opaque origin (\"null\": a local file or a sandboxed frame) are allowed only"
                                        + " with --cors-origins '*'"
                                : "requests from origin " + shorten(origin) + " are not allowed: start the server with"
                                        + " --cors-origins " + shorten(origin) + " (or *) to let pages there call it");
            }
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
            ctx.header("Access-Control-Expose-Headers", "Retry-After");
        }
        if (ctx.method().name().equals("OPTIONS")) {
            return; // preflights carry no credentials
        }
        if (keyDigest != null && ctx.path().startsWith("/v1/")) {
            String auth = ctx.header("Authorization");
            if (auth == null || auth.isBlank()) {
                throw new ApiError(
                        401,
                        "invalid_request_error",
                        null,
                        "missing_api_key",
                        "this server needs an API" + " key: send it as the header Authorization: Bearer YOUR_KEY");
            }
            String given = auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? auth.substring(7).strip()
                    : "";
            if (!MessageDigest.isEqual(sha256(given), keyDigest)) {
                throw new ApiError(
                        401,
                        "invalid_request_error",
                        null,
                        "invalid_api_key",
                        "incorrect API key"
                                + " provided (send Authorization: Bearer YOUR_KEY with the server's --api-key)");
            }
        }
    }

    /** Answers a preflight (the origin was checked by {@link #check}). */
    void preflight(Context ctx) {
        String allow = CharLstmServer.ROUTES.getOrDefault(CharLstmServer.route(ctx.path()), "OPTIONS");
        ctx.header("Allow", allow);
        if (ctx.header("Origin") != null && ctx.header("Access-Control-Request-Method") != null) {
            ctx.header("Access-Control-Allow-Methods", allow);
            String headers = ctx.header("Access-Control-Request-Headers");
            // the official SDKs send their own x-stainless-* headers: allow what the page asks for
            ctx.header("Access-Control-Allow-Headers", headers != null ? headers : "Authorization, Content-Type");
            ctx.header("Access-Control-Max-Age", "600");
        }
        ctx.status(204);
    }

    private boolean allowed(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT);
        if (anyOrigin || origins.contains(o)) {
            return true;
        }
        if (host == null) {
            return false;
        }
        URI u;
        try {
            u = URI.create(o);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!"http".equals(u.getScheme()) || u.getRawAuthority() == null) {
            return false;
        }
        URI h;
        try {
            h = URI.create("http://" + host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (u.getRawAuthority().equals(h.getRawAuthority())) {
            return !loopbackOnly || loopbackName(u.getHost()); // a rebound name is not the server's own
        }
        // localhost:8080 and 127.0.0.1:8080 are one server to its user (two origins to a browser)
        return loopbackName(u.getHost()) && loopbackName(h.getHost()) && u.getPort() == h.getPort();
    }

    private static boolean loopbackName(String name) {
        return name != null && (name.equals("localhost") || name.equals("[::1]") || name.startsWith("127."));
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
