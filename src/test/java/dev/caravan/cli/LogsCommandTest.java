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

    private String logs(String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new RunCommands.Logs()).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err));
        String[] all = new String[arguments.length + 2];
        all[0] = "--server";
        all[1] = "http://127.0.0.1:" + api.getAddress().getPort();
        System.arraycopy(arguments, 0, all, 2, arguments.length);
        assertThat(command.execute(all)).as(err.toString()).isZero();
        return out.toString();
    }
}
