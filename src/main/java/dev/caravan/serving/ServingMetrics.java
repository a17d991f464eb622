package dev.caravan.serving;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The local model server's latency per API and model, as {@code caravan_serving_latency_seconds}: a histogram with
 * buckets from 0.25 ms to 10 s, so Prometheus can tell p50 and p99. On the kubernetes runtime TensorFlow Serving
 * reports its own; Caravan's proxy {@code /api/models/{name}:predict} is in {@code http_server_requests_seconds}.
 */
class ServingMetrics implements ServingLatency {

    private static final Duration[] BUCKETS = DoubleStream.of(0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000,
            2500, 10_000).mapToObj(ms -> Duration.ofNanos((long) (ms * 1e6))).toArray(Duration[]::new);

    private final MeterRegistry meters;
    // One timer per api, model and outcome, looked up without building tags on every call.
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    ServingMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void record(String api, String model, long nanos, boolean ok) {
        String outcome = ok ? "ok" : "error";
        timers.computeIfAbsent(api + '/' + model + '/' + outcome, key -> Timer.builder("caravan.serving.latency")
                        .description("Predict calls answered by the local model server, from request to answer")
                        .tags("api", api, "model", model, "outcome", outcome)
                        .serviceLevelObjectives(BUCKETS)
                        .register(meters))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
