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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    ApiClient(String base) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
    }

    /** GETs {@code path}; a problem response or an unreachable server becomes a {@link CliException}. */
    JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
            if (response.statusCode() >= 400) {
                throw new CliException(response.statusCode() == 404 ? 2 : 1,
                        body.path("detail").asText("HTTP " + response.statusCode() + " from " + request.uri()));
            }
            return body;
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
