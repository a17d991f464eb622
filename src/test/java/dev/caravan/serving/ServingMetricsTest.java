package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The model server's latency as Prometheus shows it: per API, model and outcome, with buckets for quantiles. */
class ServingMetricsTest {

    @Test
    void eachCallIsCountedUnderItsApiModelAndOutcomeWithHistogramBuckets() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServingMetrics metrics = new ServingMetrics(prometheus);

        metrics.record("grpc", "mnist", TimeUnit.MICROSECONDS.toNanos(700), true);
        metrics.record("grpc", "mnist", TimeUnit.MILLISECONDS.toNanos(3), true);
        metrics.record("rest", "mnist", TimeUnit.MILLISECONDS.toNanos(2), false);

        String scraped = prometheus.scrape();
        assertThat(scraped).contains(
                "caravan_serving_latency_seconds_count{api=\"grpc\",model=\"mnist\",outcome=\"ok\"} 2",
                "caravan_serving_latency_seconds_count{api=\"rest\",model=\"mnist\",outcome=\"error\"} 1",
                "caravan_serving_latency_seconds_bucket{api=\"grpc\",model=\"mnist\",outcome=\"ok\",le=\"0.001\"} 1");
    }
}
