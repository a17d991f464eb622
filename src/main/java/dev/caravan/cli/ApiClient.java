package dev.caravan.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Talks to a running Caravan's HTTP API for the commands that read and change its state. */
class ApiClient {

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    ApiClient(String base, String token) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
        this.token = token;
    }

    /** GETs {@code path}; a problem response or an unreachable server becomes a {@link CliException}. */
    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** GETs {@code path} as text, such as a run's log. */
    String text(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), HttpResponse.BodyHandlers.ofString(), true);
    }

    /** POSTs {@code body} (a JSON-able value, or null) to {@code path} with the API token. */
    JsonNode post(String path, Object body) {
        try {
            String payload = body == null ? "" : json.writeValueAsString(body);
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)));
        } catch (IOException e) {
            throw new CliException(1, "cannot write the request: " + e.getMessage());
        }
    }

    private JsonNode send(HttpRequest.Builder builder) {
        String body = send(builder, HttpResponse.BodyHandlers.ofString(), false);
        try {
            return body.isEmpty() ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            throw new CliException(1, "Caravan answered something that is not JSON: " + e.getMessage());
        }
    }

    private String send(HttpRequest.Builder builder, HttpResponse.BodyHandler<String> handler, boolean text) {
        if (token != null && !token.isBlank()) {
            builder.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = builder.timeout(Duration.ofSeconds(60))
                .header("Accept", text ? "text/plain" : "application/json").build();
        try {
            HttpResponse<String> response = http.send(request, handler);
            if (response.statusCode() >= 400) {
                throw new CliException(exitCode(response.statusCode()), detail(response, request));
            }
            return response.body();
        } catch (ConnectException e) {
            throw new CliException(3, "cannot reach Caravan at " + base + "; start it with ./caravan server "
                    + "or point --server at it");
        } catch (IOException e) {
            throw new CliException(3, "talking to Caravan at " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(130, "interrupted");
        }
    }

    /** Exit codes scripts can rely on: 2 not found, 4 not allowed, 5 conflict, 1 anything else. */
    private static int exitCode(int status) {
        return switch (status) {
            case 404 -> 2;
            case 401, 403 -> 4;
            case 409 -> 5;
            default -> 1;
        };
    }

    private String detail(HttpResponse<String> response, HttpRequest request) {
        try {
            return json.readTree(response.body()).path("detail").asText("HTTP " + response.statusCode() + " from " + request.uri());
        } catch (IOException e) {
            return "HTTP " + response.statusCode() + " from " + request.uri();
        }
    }

    /** An error for the user, with the exit code the command ends with. */
    static class CliException extends RuntimeException {

        private final int exitCode;

        CliException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }
}
