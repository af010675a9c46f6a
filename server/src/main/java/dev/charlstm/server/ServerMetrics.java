package dev.charlstm.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format through Micrometer: requests by route, method and
 * status; rows in use and their limit; requests waiting for rows; open sessions; prompt and generated characters;
 * time to first character (from a request's arrival, queueing included) and the time between a stream's
 * characters, as histograms. Thread-safe.
 */
final class ServerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter generated;
    private final Counter prompt;
    private final Timer firstCharacter;
    private final Timer perCharacter;

    ServerMetrics(int maxRows, Supplier<Number> rowsInUse, Supplier<Number> waiting, Supplier<Number> sessions) {
        Gauge.builder("charlstm.rows.in.use", rowsInUse)
                .description("streams generating now")
                .register(registry);
        Gauge.builder("charlstm.rows.max", () -> maxRows)
                .description("streams that may generate at once (--max-rows)")
                .register(registry);
        Gauge.builder("charlstm.requests.waiting", waiting)
                .description("requests waiting for a row")
                .register(registry);
        Gauge.builder("charlstm.sessions.open", sessions)
                .description("open sessions")
                .register(registry);
        generated = Counter.builder("charlstm.generated.characters")
                .description("characters generated (code points)")
                .register(registry);
        prompt = Counter.builder("charlstm.prompt.characters")
                .description("prompt characters read (code points)")
                .register(registry);
        firstCharacter = Timer.builder("charlstm.time.to.first.character")
                .description("from a request's arrival to its first generated character, queueing included")
                .serviceLevelObjectives(
                        buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
                .register(registry);
        perCharacter = Timer.builder("charlstm.time.per.character")
                .description("between one character of a stream and its next")
                .serviceLevelObjectives(
                        buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1))
                .register(registry);
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }

    /** Counts one answered request; methods outside HTTP's usual ones are "other" (clients choose them freely). */
    void request(String route, String method, int status) {
        String m = switch (method) {
            case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH" -> method;
            default -> "other";
        };
        registry.counter("charlstm.http.requests", "route", route, "method", m, "status", Integer.toString(status))
                .increment();
    }

    void firstCharacter(long nanos) {
        firstCharacter.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The hot path: one call per generated character (no allocation). */
    void perCharacter(long nanos) {
        perCharacter.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a request's prompt characters, when it starts. */
    void promptCharacters(long n) {
        prompt.increment((double) n); // counts far below 2^53: exact
    }

    /** The hot path: one call per character sent (counters move while a stream runs, not at its end). */
    void generatedCharacter() {
        generated.increment();
    }

    /** @return the text exposition, format 0.0.4 */
    String scrape() {
        return registry.scrape();
    }
}
