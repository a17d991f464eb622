package dev.caravan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Talks to a running Caravan's HTTP API for the commands that read and change its state. */
class ApiClient {

    /** Names the CLI to the server, which records "cli" as the origin of the runs it asks for. */
    private static final String AGENT = "caravan-cli";

    private final URI base;
    private final Function<ApiClient, String> token;
    private String bearer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * {@code token} finds the API token, once, when a request first changes something (reads are open); it may ask
     * the server through this client where it keeps it.
     */
    ApiClient(String base, Function<ApiClient, String> token) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
        this.token = token;
    }

    private String bearer() {
        if (bearer == null) {
            String found = token.apply(this);
            bearer = found == null || found.isBlank() ? "" : found;
        }
        return bearer.isEmpty() ? null : bearer;
    }

    URI base() {
        return base;
    }

    /** GETs {@code path}; a problem response or an unreachable server becomes a {@link CliException}. */
    JsonNode get(String path) {
        return json(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** POSTs {@code body} (a JSON-able value, or null) to {@code path} with the API token. */
    JsonNode post(String path, Object body) {
        try {
            String payload = body == null ? "" : json.writeValueAsString(body);
            return json(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)));
        } catch (IOException e) {
            throw new CliException(1, "cannot write the request: " + e.getMessage());
        }
    }

    /** DELETEs {@code path} with the API token. */
    JsonNode delete(String path) {
        return json(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /** GETs {@code path} as text and copies it to {@code out} as it arrives, such as a followed log. */
    void stream(String path, PrintWriter out) {
        try (InputStream in = send(HttpRequest.newBuilder(base.resolve(path)).GET().header("Accept", "text/plain"));
             Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buffer = new char[8192];
            int read;
            while ((read = reader.read(buffer)) > 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            throw new CliException(3, "the stream from Caravan broke: " + e.getMessage());
        }
    }

    private JsonNode json(HttpRequest.Builder builder) {
        try (InputStream in = send(builder.header("Accept", "application/json"))) {
            byte[] body = in.readAllBytes();
            return body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            throw new CliException(1, "Caravan's answer could not be read: " + e.getMessage());
        }
    }

    /** Sends with the token; an error status, an unreachable server or an interrupt become a {@link CliException}. */
    private InputStream send(HttpRequest.Builder builder) {
        HttpRequest request = builder.header("User-Agent", AGENT).build();
        if (!request.method().equals("GET") && bearer() != null) {
            request = HttpRequest.newBuilder(request, (name, value) -> true)
                    .header("Authorization", "Bearer " + bearer()).build();
        }
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() >= 400) {
                try (InputStream in = response.body()) {
                    throw new CliException(exitCode(response.statusCode()),
                            detail(new String(in.readAllBytes(), StandardCharsets.UTF_8), response.statusCode(), request));
                }
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

    private String detail(String body, int status, HttpRequest request) {
        try {
            return json.readTree(body).path("detail").asText("HTTP " + status + " from " + request.uri());
        } catch (IOException e) {
            return "HTTP " + status + " from " + request.uri();
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
