package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** {@code --watch}: the training's progress as the API reports it, with its total steps or without one. */
class RunWatchTest {

    private static final String RUN = "mnist-3f2a9c0d1e";

    private HttpServer api;

    @AfterEach
    void stopApi() {
        if (api != null) {
            api.stop(0);
        }
    }

    @Test
    void theBarRunsToTheTotalTheApiReports() throws Exception {
        String watched = watch("""
                [{"step": 30, "totalSteps": 300, "loss": 0.9, "accuracy": 0.7}]""");

        assertThat(watched).contains("[###...........................]    30/300  loss 0.9000");
    }

    @Test
    void aTotalTheTrainerDidNotReportIsUnknownNotTheStepReached() throws Exception {
        String watched = watch("""
                [{"step": 30, "totalSteps": null, "loss": 0.9, "accuracy": 0.7}]""");

        assertThat(watched).contains("  train         step    30 (total steps not reported)  loss 0.9000")
                .doesNotContain("30/30", "30/1 ");
    }

    @Test
    void aTotalMissingFromTheAnswerIsUnknownToo() throws Exception {
        String watched = watch("""
                [{"step": 30, "loss": 0.9, "accuracy": 0.7}]""");

        assertThat(watched).contains("step    30 (total steps not reported)").doesNotContain("30/30");
    }

    /** Watches a run that trains at the first look, with {@code scalars} as its curve, and ends at the second. */
    private String watch(String scalars) throws Exception {
        AtomicInteger looks = new AtomicInteger();
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/api/runs/" + RUN, exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("/scalars")) {
                answer(exchange, scalars);
            } else if (looks.getAndIncrement() == 0) {
                answer(exchange, """
                        {"run": {"name": "%s", "status": "STARTED", "endedAt": null},
                         "steps": [{"name": "train", "status": "STARTED", "message": null}]}""".formatted(RUN));
            } else {
                answer(exchange, """
                        {"run": {"name": "%s", "status": "COMPLETED", "outcome": "PROMOTED", "message": "version 2",
                                 "endedAt": "2025-01-02T03:04:25Z"},
                         "steps": [{"name": "train", "status": "COMPLETED", "message": "30 steps"}]}""".formatted(RUN));
            }
        });
        api.start();
        StringWriter out = new StringWriter();
        ApiClient client = new ApiClient("http://127.0.0.1:" + api.getAddress().getPort(), caravan -> null);

        assertThat(new RunWatch(client, new PrintWriter(out)).follow(RUN)).isEqualTo("PROMOTED");
        return out.toString();
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
