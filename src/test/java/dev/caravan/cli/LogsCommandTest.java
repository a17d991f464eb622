package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;

/** {@code caravan logs}: which log it asks the API for, and that it prints what comes back. */
class LogsCommandTest {

    private final List<String> asked = new CopyOnWriteArrayList<>();
    private HttpServer api;

    @BeforeEach
    void startApi() throws IOException {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/api/runs/", exchange -> {
            asked.add(exchange.getRequestURI().toString());
            if (exchange.getRequestURI().toString().contains("replica=worker-5")) {
                byte[] problem = ("{\"title\":\"Not found\",\"status\":404,\"detail\":\"run mnist-3f2a9c0d1e has no "
                        + "log of replica 'worker-5'; its replicas with logs are [chief, worker-0]\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(404, problem.length);
                exchange.getResponseBody().write(problem);
                exchange.close();
                return;
            }
            byte[] body = "a line of the log\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
    }

    @AfterEach
    void stopApi() {
        api.stop(0);
    }

    @Test
    void aReplicaIsAskedForByName() {
        String out = logs("--replica", "worker-1", "mnist-3f2a9c0d1e");

        assertThat(asked).containsExactly("/api/runs/mnist-3f2a9c0d1e/logs?follow=false&replica=worker-1");
        assertThat(out).isEqualTo("a line of the log\n");
    }

    @Test
    void withoutAReplicaTheDefaultLogIsAskedFor() {
        logs("-f", "mnist-3f2a9c0d1e");

        assertThat(asked).containsExactly("/api/runs/mnist-3f2a9c0d1e/logs?follow=true");
    }

    @Test
    void anUnknownReplicaIsNotFoundOnStandardErrorWithTheReplicasThereAre() {
        Result result = execute("--replica", "worker-5", "mnist-3f2a9c0d1e");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("logs: run mnist-3f2a9c0d1e has no log of replica 'worker-5'; its replicas "
                + "with logs are [chief, worker-0]" + System.lineSeparator());
    }

    private String logs(String... arguments) {
        Result result = execute(arguments);
        assertThat(result.exitCode()).as(result.err()).isZero();
        return result.out();
    }

    private Result execute(String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new RunCommands.Logs()).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err));
        String[] all = new String[arguments.length + 2];
        all[0] = "--server";
        all[1] = "http://127.0.0.1:" + api.getAddress().getPort();
        System.arraycopy(arguments, 0, all, 2, arguments.length);
        int exitCode = command.execute(all);
        return new Result(exitCode, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err) {
    }
}
